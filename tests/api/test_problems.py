"""Every error is problem+json with the API-Version header: unknown paths, methods, schema."""

import pytest

from bereik.api.models import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_(municipality, make_token, api):
    _token, secret = make_token(municipality, *Scope.values)
    return api(secret)


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/cases/x/y", "/api/v1/"])
def test_unknown_api_path_is_404_problem_without_login_redirect(client_, path):
    response = client_.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response["API-Version"] == "1.0.0"


def test_unknown_path_without_token_is_also_a_problem(api):
    response = api().post("/api/v1/nothing", {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_wrong_method_is_405_problem(client_):
    response = client_.delete("/api/v1/signals")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "POST" in response["Allow"]


def test_openapi_document_at_stable_urls(api):
    json_response = api().get("/api/v1/openapi.json")
    assert json_response.status_code == 200
    schema = json_response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/signals" in schema["paths"]
    assert json_response["API-Version"] == "1.0.0"
    yaml_response = api().get("/api/v1/openapi.yaml")
    assert yaml_response.status_code == 200
    assert b"openapi: 3" in yaml_response.content


def test_paths_are_kebab_case_plural_and_fields_camel_case(api):
    import re

    schema = api().get("/api/v1/openapi.json").json()
    for path in schema["paths"]:
        for segment in path.split("/")[3:]:
            assert segment.startswith("{") or re.fullmatch(r"[a-z]+(-[a-z]+)*", segment), path
    for name, component in schema["components"]["schemas"].items():
        for field in component.get("properties", {}):
            assert re.fullmatch(r"[a-z][a-zA-Z0-9]*", field), (name, field)


def test_docs_page_works_offline_from_our_static_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "http" not in html.split("<body>")[1].split("data-url")[0]
    bundle = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200
