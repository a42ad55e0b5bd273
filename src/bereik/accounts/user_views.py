"""User management for the functional administrator (``/beheer/``).

Views parse input, obtain the user through ``selectors.get_managed_user`` (404 outside the
administrator's organisations) and call one service; services validate and audit.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import MembershipForm, UserCreateForm, UserEditForm, UserFilterForm
from .models import Membership
from .selectors import (
    ManagedUser,
    administered_organisations,
    get_managed_user,
    users_managed_by,
)

# Which form field a service's refusal belongs to.
_ERROR_FIELDS = {"username_taken": "username", "role_does_not_fit": "roles"}


def index(request: HttpRequest) -> HttpResponse:
    administered_organisations(request.user)
    return redirect("user_admin:list")


def user_list(request: HttpRequest) -> HttpResponse:
    organisations = administered_organisations(request.user)
    form = UserFilterForm(request.GET, organisations=organisations)
    page = Paginator(users_managed_by(request.user, **form.filters()), 50).get_page(
        request.GET.get("page")
    )
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "accounts/user_admin/user_list.html",
        {"form": form, "page": page, "query_string": query_string.urlencode()},
    )


def user_create(request: HttpRequest) -> HttpResponse:
    organisations = administered_organisations(request.user)
    form = UserCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_user(
                actor=request.user,
                organisation=data["organisation"],
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=data["roles"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(_ERROR_FIELDS.get(error.code), error)
        else:
            if created.mail_sent:
                messages.success(
                    request,
                    _(
                        "The account has been created. The user has received an e-mail to choose "
                        "a password."
                    ),
                )
            else:
                messages.warning(
                    request,
                    _(
                        "The account has been created, but the e-mail could not be sent. "
                        "Try sending it again later."
                    ),
                )
            return redirect("user_admin:detail", pk=created.user.pk)
    return render(request, "accounts/user_admin/user_create.html", {"form": form})


def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    managed = get_managed_user(request.user, pk)
    membership_form = MembershipForm(organisations=administered_organisations(request.user))
    return _render_detail(request, managed, membership_form)


def _render_detail(
    request: HttpRequest, managed: ManagedUser, membership_form: MembershipForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/user_admin/user_detail.html",
        {"managed": managed, "subject": managed.user, "membership_form": membership_form},
        status=status,
    )


def _account_change_allowed(managed: ManagedUser) -> ManagedUser:
    """Account-wide changes need an administrator of every organisation the user works for."""
    if not managed.may_change_account:
        raise PermissionDenied
    return managed


def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    managed = _account_change_allowed(get_managed_user(request.user, pk))
    user = managed.user
    form = UserEditForm(
        request.POST or None,
        initial={"first_name": user.first_name, "last_name": user.last_name, "email": user.email},
    )
    if request.method == "POST" and form.is_valid():
        if services.update_user(actor=request.user, user=user, **form.cleaned_data):
            messages.success(request, _("The changes have been saved."))
        return redirect("user_admin:detail", pk=pk)
    return render(request, "accounts/user_admin/user_edit.html", {"form": form, "subject": user})


@require_POST
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    managed = get_managed_user(request.user, pk)
    form = MembershipForm(request.POST, organisations=administered_organisations(request.user))
    if form.is_valid():
        try:
            services.add_membership(
                actor=request.user,
                user=managed.user,
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The role has been added."))
            return redirect("user_admin:detail", pk=pk)
    return _render_detail(request, managed, form, status=400)


@require_POST
def membership_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    managed = get_managed_user(request.user, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk__in=[m.pk for m in managed.memberships],
        pk=membership_pk,
    )
    try:
        services.remove_membership(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The role has been removed."))
    return redirect("user_admin:detail", pk=pk)


@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    managed = _account_change_allowed(get_managed_user(request.user, pk))
    try:
        services.deactivate_user(actor=request.user, user=managed.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The account has been deactivated. It can no longer log in."))
    return redirect("user_admin:detail", pk=pk)


@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    managed = _account_change_allowed(get_managed_user(request.user, pk))
    services.reactivate_user(actor=request.user, user=managed.user)
    messages.success(request, _("The account has been reactivated."))
    return redirect("user_admin:detail", pk=pk)


@require_POST
def user_reset_mfa(request: HttpRequest, pk: int) -> HttpResponse:
    managed = _account_change_allowed(get_managed_user(request.user, pk))
    services.reset_mfa(actor=request.user, user=managed.user)
    messages.success(
        request,
        _("Two-factor authentication has been reset. The user sets it up again at next login."),
    )
    return redirect("user_admin:detail", pk=pk)


@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    managed = _account_change_allowed(get_managed_user(request.user, pk))
    services.unlock_user(actor=request.user, user=managed.user)
    messages.success(request, _("The account has been unlocked."))
    return redirect("user_admin:detail", pk=pk)


@require_POST
def user_send_password_email(request: HttpRequest, pk: int) -> HttpResponse:
    managed = _account_change_allowed(get_managed_user(request.user, pk))
    if services.send_password_set_email(
        actor=request.user, user=managed.user, base_url=request.build_absolute_uri("/")
    ):
        messages.success(request, _("An e-mail to choose a password has been sent."))
    else:
        messages.error(request, _("The e-mail could not be sent. Try again later."))
    return redirect("user_admin:detail", pk=pk)
