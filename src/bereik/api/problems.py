"""Errors as ``application/problem+json`` (RFC 9457, as the Dutch API Design Rules require),
for every 4xx and 5xx the API returns."""

import structlog
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from bereik.portal.busy import RETRY_AFTER_SECONDS, is_database_busy

log = structlog.get_logger()

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://bereik.nl/api/problems/"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


BUSY_DETAIL = gettext_noop(
    "The database was busy and the request was not carried out. Try again in a few seconds."
)


class ServiceBusy(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = BUSY_DETAIL
    default_code = "busy"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def _invalid_params(detail, prefix: str = "") -> list[dict]:
    """Flatten DRF's nested validation errors into ``[{name, code, reason}]``."""
    params: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            if isinstance(key, int):
                full = f"{prefix}[{key}]"
            else:
                full = f"{prefix}.{name}" if prefix and name else (prefix or name)
            params.extend(_invalid_params(value, full))
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            for item in detail:
                params.append(
                    {
                        "name": prefix or "body",
                        "code": getattr(item, "code", "invalid"),
                        "reason": str(item),
                    }
                )
        else:
            for index, item in enumerate(detail):
                if item:
                    params.extend(_invalid_params(item, f"{prefix}[{index}]"))
    else:
        params.append(
            {
                "name": prefix or "body",
                "code": getattr(detail, "code", "invalid"),
                "reason": str(detail),
            }
        )
    return params


def problem_response(
    status_code: int,
    title: str,
    detail: str = "",
    *,
    code: str = "",
    instance: str = "",
    invalid_params: list[dict] | None = None,
    headers: dict | None = None,
) -> Response:
    body = {
        "type": TYPE_BASE + (code or str(status_code)),
        "code": code or str(status_code),
        "title": title,
        "status": status_code,
        "detail": detail or title,
        "instance": instance,
    }
    if invalid_params:
        body["invalidParams"] = invalid_params
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def busy_response(instance: str) -> HttpResponse:
    """The 503 problem for a database that was too busy, outside DRF's own handling (e.g. when
    the write that records the call in the audit trail meets the busy database as well)."""
    body = {
        "type": TYPE_BASE + "busy",
        "code": "busy",
        "title": _TITLES[503],
        "status": 503,
        "detail": _(BUSY_DETAIL),
        "instance": instance,
    }
    return JsonResponse(
        body,
        status=503,
        content_type=PROBLEM_CONTENT_TYPE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def exception_handler(exc, context):
    """DRF's handler (which adds headers such as Retry-After and WWW-Authenticate), with the
    body rewritten as a problem; Django's own exceptions and crashes become problems too."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_("The request body is too large."))
    elif isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif is_database_busy(exc):
        log.warning("api_database_busy", path=instance)
        exc = ServiceBusy(_(BUSY_DETAIL))
    response = drf_exception_handler(exc, context)
    if isinstance(exc, ServiceBusy) and response is not None:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if response is None:
        log.exception("api_unhandled_error", path=instance)
        return problem_response(
            500,
            _TITLES[500],
            _("An internal error occurred; nothing was changed. Try again later."),
            code="server_error",
            instance=instance,
        )
    headers = {
        k: v
        for k, v in response.items()
        if k.lower() in ("retry-after", "www-authenticate", "allow")
    }
    detail_code = getattr(getattr(exc, "detail", None), "code", None)
    code = detail_code or getattr(exc, "default_code", "") or str(response.status_code)
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            response.status_code,
            _TITLES.get(response.status_code, "Error"),
            _("The request contains invalid values; see invalidParams."),
            code="invalid",
            instance=instance,
            invalid_params=_invalid_params(exc.detail),
            headers=headers,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
    if isinstance(detail, (list, dict)):
        detail = "; ".join(p["reason"] for p in _invalid_params(detail))
    return problem_response(
        response.status_code,
        _TITLES.get(response.status_code, "Error"),
        str(detail),
        code=code,
        instance=instance,
        headers=headers,
    )
