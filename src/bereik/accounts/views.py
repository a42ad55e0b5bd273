import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bereik.audit.models import AuditAction
from bereik.audit.services import record

from . import services
from .forms import LoginForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = False

    def form_valid(self, form):
        response = super().form_valid(form)
        # Password step done; the TOTP step decides whether the login is complete.
        next_url = self.get_redirect_url()
        if next_url:
            self.request.session["after_login"] = next_url
        return response

    def form_invalid(self, form):
        if form.data.get("username") or form.data.get("password"):
            services.record_password_failure(
                username=form.data.get("username", ""),
                deactivated=form.has_error("__all__", code="inactive"),
            )
        return super().form_invalid(form)

    def get_success_url(self):
        if services.confirmed_device(self.request.user) is None:
            return reverse_lazy("accounts:setup_mfa")
        return reverse_lazy("accounts:verify")


def _after_login(request):
    target = request.session.pop("after_login", None)
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(settings.LOGIN_REDIRECT_URL)


def _locked_after_failure(request) -> bool:
    return AxesProxyHandler.is_locked(
        request, credentials={"username": request.user.get_username()}
    )


def verify(request):
    if request.user.is_verified():
        return redirect(settings.LOGIN_REDIRECT_URL)
    device = services.confirmed_device(request.user)
    if device is None:
        return redirect("accounts:setup_mfa")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify_token(request, device, form.cleaned_data["token"]):
            return _after_login(request)
        if _locked_after_failure(request):
            logout(request)
            return locked_out(request)
        form.add_error("token", _("This code is not correct. Check the time on your phone."))
    return render(request, "accounts/verify.html", {"form": form})


def setup_mfa(request):
    if services.confirmed_device(request.user) is not None:
        return redirect("accounts:verify")
    device = services.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify_token(request, device, form.cleaned_data["token"]):
            messages.success(request, _("Two-factor authentication is set up."))
            return _after_login(request)
        if _locked_after_failure(request):
            logout(request)
            return locked_out(request)
        form.add_error("token", _("This code is not correct. Scan the code again and retry."))
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/setup_mfa.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=4, title=_("QR code for your authenticator app")),
            "secret": _grouped_base32(device.bin_key),
        },
    )


def _grouped_base32(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record(actor=request.user, action=AuditAction.LOGOUT, obj=request.user)
    logout(request)
    messages.info(request, _("You have been logged out."))
    return redirect("accounts:login")


def locked_out(request, credentials=None, *args, **kwargs):
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=403)
