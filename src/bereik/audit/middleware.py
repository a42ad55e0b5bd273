import structlog

from .context import request_origin


class RequestOriginMiddleware:
    """Remember the client address for the audit trail and bind the user to log events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_origin.set(request.META.get("REMOTE_ADDR"))
        user = getattr(request, "user", None)
        structlog.contextvars.bind_contextvars(
            user_id=user.pk if user is not None and user.is_authenticated else None,
            path=request.path,
        )
        try:
            return self.get_response(request)
        finally:
            request_origin.reset(token)
            structlog.contextvars.clear_contextvars()
