"""The import API: upload (a preview), confirm, undo, in the OpenAPI schema; bad files and bodies are 400s."""
import base64
import datetime

import pytest

from sessions.models import Assessment

pytestmark = pytest.mark.django_db


def _csv(day=None) -> bytes:
    day = day or datetime.date.today() - datetime.timedelta(days=1)
    return ("Name,Date UTC,Time UTC,Device,Test,L Max Force (N),R Max Force (N),Max Imbalance (%)\n"
            f"Alex Runner,{day:%d/%m/%Y},09:00:00,NordBord,Nordic,330,400,17.5\n"
            f"Nobody,{day:%d/%m/%Y},09:00:00,NordBord,Nordic,330,400,17.5\n").encode("utf-16")


def _upload(client, data, **extra):
    return client.post("/api/v1/imports/", {"file_name": "nb.csv", "content_base64": base64.b64encode(data).decode(),
                                            **extra}, format="json")


def test_upload_preview_confirm_undo(world, api_for):
    client = api_for(world.clinician)
    response = _upload(client, _csv())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "preview" and body["rows_ready"] == 1 and body["rows_skipped"] == 1
    ready, skipped = body["rows"]
    assert ready["athlete_id"] == world.athlete.pk and ready["shown"]["lsi"] == "82.5"
    assert "No athlete “Nobody”" in skipped["reason"]
    assert not Assessment.objects.exists()
    confirmed = client.post(f"/api/v1/imports/{body['id']}/confirm/", format="json")
    assert confirmed.status_code == 200 and confirmed.json()["rows_written"] == 1
    assert Assessment.objects.get().strength_lsi == 82.5
    again = client.post(f"/api/v1/imports/{body['id']}/confirm/", format="json")
    assert again.status_code == 409
    assert client.post(f"/api/v1/imports/{body['id']}/undo/", {}, format="json").status_code == 400
    undone = client.post(f"/api/v1/imports/{body['id']}/undo/", {"reason": "test"}, format="json")
    assert undone.status_code == 200 and undone.json()["status"] == "undone"
    assert Assessment.objects.get().is_void
    listed = client.get("/api/v1/imports/").json()
    assert listed["count"] == 1 and "rows" not in listed["results"][0]


@pytest.mark.parametrize("payload, words", [
    ({"file_name": "x.csv", "content_base64": "%%%not base64"}, "Not valid base64"),
    ({"file_name": "x.csv", "content_base64": base64.b64encode(b"\x89PNG\x00\x00\x01" * 100).decode()}, "not a CSV"),
    ({"file_name": "x.csv", "content_base64": base64.b64encode(b"a,b\n1,2\n").decode()}, "not recognised"),
    ({"file_name": "x.csv"}, "required"),
])
def test_bad_uploads_are_400_with_a_plain_reason(world, api_for, payload, words):
    response = api_for(world.clinician).post("/api/v1/imports/", payload, format="json")
    assert response.status_code == 400 and words in response.content.decode(), response.content


def test_a_50_mb_upload_is_refused_with_the_limit(world, api_for):
    content = base64.b64encode(b"x" * (50 * 1024 * 1024)).decode()
    response = api_for(world.clinician).post("/api/v1/imports/", {"file_name": "big.csv", "content_base64": content},
                                             format="json")
    assert response.status_code == 400 and "10 MB limit" in response.content.decode()


def test_the_endpoints_are_in_the_schema(world, api_for):
    schema = api_for(world.clinician).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/imports/", "/api/v1/imports/{id}/", "/api/v1/imports/{id}/confirm/",
                 "/api/v1/imports/{id}/undo/"):
        assert path in schema["paths"], path
    assert "ImportUploadInputRequest" in schema["components"]["schemas"]
