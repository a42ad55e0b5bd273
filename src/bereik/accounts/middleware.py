from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Paths reachable before (or without) a completed two-factor login.
_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/password-reset/",
    "/accounts/reset/",
    "/static/",
    "/favicon.ico",
)
_HALF_LOGGED_IN_PREFIXES = ("/accounts/verify/", "/accounts/setup-mfa/", "/accounts/logout/")


class RequireVerifiedLoginMiddleware:
    """Every page needs a user who passed both password and TOTP (BIO 5.17)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = tuple(getattr(settings, "BEREIK_LOGIN_EXEMPT_PREFIXES", ()))

    def __call__(self, request):
        path = request.path
        if path.startswith(_OPEN_PREFIXES + self.exempt):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
        if not user.is_verified() and not path.startswith(_HALF_LOGGED_IN_PREFIXES):
            return redirect("accounts:verify")
        return self.get_response(request)
