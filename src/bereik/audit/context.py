"""The origin of the current request, for audit entries written deeper down the call stack."""

from contextvars import ContextVar

request_origin: ContextVar[str | None] = ContextVar("request_origin", default=None)
