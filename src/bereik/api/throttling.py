"""Rate limits per token (DRF throttling on the cache)."""

import time

from rest_framework.throttling import SimpleRateThrottle

from .authentication import ApiClient


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def timer(self) -> float:
        # DRF's ``timer = time.time`` is bound when its module is imported; imported while a test
        # froze the clock, it stayed frozen (and broke) for the rest of the process. Look it up
        # at call time instead.
        return time.time()

    def get_cache_key(self, request, view):
        client = request.user
        if isinstance(client, ApiClient):
            ident = f"token-{client.token.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
