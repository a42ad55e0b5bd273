"""Bearer-token authentication for the API, and what an authenticated token may reach."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from bereik.accounts.access import municipalities_reached_by

from . import tokens
from .models import ApiToken

# Writing last_used_at on every call would serialise all calls of a token on one row.
LAST_USED_RESOLUTION_SECONDS = 60


@dataclass
class ApiClient:
    """The principal of an API request (DRF's ``request.user``): an application, not a person."""

    token: ApiToken
    municipality_ids: set[int] = field(default_factory=set)
    is_authenticated: bool = True
    is_active: bool = True
    pk: None = None

    @property
    def organisation(self):
        return self.token.organisation

    def has_scope(self, scope: str) -> bool:
        return scope in self.token.scopes

    def get_username(self) -> str:
        return self.token.audit_label


class TokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header is malformed."), code="token_malformed"
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid."), code="token_invalid"
            ) from None
        prefix = tokens.prefix_of(raw)
        token = (
            ApiToken.objects.select_related("organisation").filter(prefix=prefix).first()
            if prefix
            else None
        )
        if token is None or not tokens.matches(raw, token.secret_hash):
            raise exceptions.AuthenticationFailed(
                _("The token is not valid."), code="token_invalid"
            )
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("The token has been revoked."), code="token_revoked"
            )
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("The token has expired."), code="token_expired")
        if not token.organisation.is_active:
            raise exceptions.AuthenticationFailed(
                _("The token's organisation is inactive."), code="organisation_inactive"
            )
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        client = ApiClient(
            token=token, municipality_ids=municipalities_reached_by(token.organisation)
        )
        return client, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "bereik.api.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`brk_...`) made by a functional administrator.",
        }
