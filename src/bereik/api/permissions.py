"""Scopes: each API view names the scope a token needs (``required_scope``)."""

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from .authentication import ApiClient


class HasScope(BasePermission):
    def has_permission(self, request, view) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            return False
        scope = view.required_scope_for(request)
        if scope is None or client.has_scope(scope):
            return True
        self.message = _("This token lacks the scope “%(scope)s”.") % {"scope": scope}
        return False
