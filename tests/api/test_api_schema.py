"""The OpenAPI schema: valid, warning-free, with examples; Swagger UI served from local assets."""
import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


@pytest.fixture
def schema(world, client):
    client.force_login(world.athlete_user)  # any logged-in user may read the schema; anonymous callers get a 401
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_main_operations_carry_examples(schema):
    paths = schema["paths"]

    def request_examples(path, method):
        return paths[path][method]["requestBody"]["content"]["application/json"].get("examples", {})

    def response_examples(path, method, status):
        return paths[path][method]["responses"][status]["content"]["application/json"].get("examples", {})

    assert request_examples("/api/v1/session-logs/", "post")
    assert response_examples("/api/v1/session-logs/", "post", "201")
    assert response_examples("/api/v1/session-logs/", "post", "409")
    assert request_examples("/api/v1/symptom-reports/", "post")
    assert request_examples("/api/v1/decisions/{id}/sign-off/", "post")
    assert response_examples("/api/v1/decisions/{id}/sign-off/", "post", "409")
    assert request_examples("/api/v1/decisions/{id}/override/", "post")
    assert response_examples("/api/v1/plans/{id}/week/", "get", "200")


def test_the_schema_says_how_to_authenticate_and_only_json(schema):
    # basicAuth: on the token endpoint only (an integration's first token), behind the login lockout.
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth", "basicAuth"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert set(operation["requestBody"]["content"]) == {"application/json"}, (method, path)


def test_the_schema_and_the_docs_need_a_login(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 401 and schema["WWW-Authenticate"] == "Token"
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/docs/?script").status_code == 302


def test_swagger_ui_is_served_with_local_assets(world, client):
    client.force_login(world.coach)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
