"""A database that is momentarily too busy is a clear "try again", not a crash.

SQLite lets one writer in at a time; when many agents save at once a writer can wait longer than
the busy timeout. PostgreSQL may cancel a transaction to break a deadlock or a serialisation
conflict. In both cases nothing was written and repeating the request is the right thing to do,
so the user gets a 503 with ``Retry-After`` (HTML here, problem+json in the API) instead of a 500.
"""

import structlog
from django.db import OperationalError
from django.shortcuts import render

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 5
# PostgreSQL SQLSTATEs after which the same request may simply be repeated.
_RETRYABLE_SQLSTATES = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available
}


def is_database_busy(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


class BusyDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        log.warning("database_busy", path=request.path, error=str(exception)[:200])
        if request.path.startswith("/api/"):
            from bereik.api.problems import busy_response

            return busy_response(request.path)
        response = render(request, "portal/busy.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
