"""The base of every API view: token authentication, scope check, rate limit, the
``API-Version`` header and one audit entry per call (actor: the token)."""

from rest_framework.views import APIView

from bereik.audit.models import AuditAction, AuditResult
from bereik.audit.services import record

from .authentication import ApiClient

API_VERSION = "1.0.0"

_ACTIONS = {
    "GET": AuditAction.VIEW,
    "HEAD": AuditAction.VIEW,
    "POST": AuditAction.CREATE,
    "PUT": AuditAction.UPDATE,
    "PATCH": AuditAction.UPDATE,
    "DELETE": AuditAction.DELETE,
}


def _result(status_code: int) -> AuditResult:
    if status_code < 400:
        return AuditResult.SUCCESS
    if status_code in (401, 403, 404):
        return AuditResult.DENIED
    return AuditResult.FAILED


class ApiView(APIView):
    """Subclasses set ``required_scope`` (or ``scopes_by_method``) and ``audit_object_type``."""

    required_scope: str | None = None
    scopes_by_method: dict[str, str] = {}
    audit_object_type = "api.call"
    audit_action: AuditAction | None = None

    def required_scope_for(self, request) -> str | None:
        return self.scopes_by_method.get(request.method, self.required_scope)

    @property
    def client(self) -> ApiClient:
        return self.request.user

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["API-Version"] = API_VERSION
        self._audit(request, response)
        return response

    def _audit(self, request, response) -> None:
        client = getattr(request, "_user", None)
        token = client.token if isinstance(client, ApiClient) else None
        action = self.audit_action or _ACTIONS.get(request.method, AuditAction.VIEW)
        if response.status_code in (401, 403):
            action = AuditAction.ACCESS_DENIED
        record(
            actor=None,
            actor_label=token.audit_label if token else "api:anonymous",
            action=action,
            object_type=self.audit_object_type,
            object_id=str(self.kwargs.get("pk", "") or self.kwargs.get("reference", ""))[:64],
            organisation=token.organisation if token else None,
            result=_result(response.status_code),
            detail={
                "method": request.method,
                "path": request.path[:200],
                "status": response.status_code,
                "token": token.prefix if token else "",
                **getattr(self, "audit_detail", {}),
            },
        )
