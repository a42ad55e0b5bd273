"""Rate limits per token (DRF throttling on the cache)."""

from rest_framework.throttling import SimpleRateThrottle

from .authentication import ApiClient


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        client = request.user
        if isinstance(client, ApiClient):
            ident = f"token-{client.token.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
