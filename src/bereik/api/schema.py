"""OpenAPI generation hooks and the schema and documentation views."""

from django.shortcuts import render
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularYAMLAPIView

from .base import API_VERSION

_UNDOCUMENTED = ("/api/v1/openapi", "/api/v1/docs")


def only_api_paths(endpoints):
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith("/api/v1/")
        and not endpoint[0].startswith(_UNDOCUMENTED)
        and "{rest}" not in endpoint[0]
    ]


def add_version_header(result, generator, request, public):
    """Document the API-Version header on every response (ADR: /core/version-header)."""
    header = {
        "description": "The full version of the API that answered.",
        "schema": {"type": "string", "example": API_VERSION},
    }
    result.setdefault("components", {}).setdefault("headers", {})["API-Version"] = header
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {})["API-Version"] = {
                    "$ref": "#/components/headers/API-Version"
                }
    return result


class _Versioned:
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["API-Version"] = API_VERSION
        return response


class OpenApiJsonView(_Versioned, SpectacularJSONAPIView):
    pass


class OpenApiYamlView(_Versioned, SpectacularYAMLAPIView):
    pass


def docs(request):
    """Interactive documentation (Swagger UI, served from our own static files)."""
    response = render(request, "api/docs.html", {"schema_url": "/api/v1/openapi.json"})
    response["API-Version"] = API_VERSION
    return response
