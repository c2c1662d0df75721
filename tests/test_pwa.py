"""The athlete app as a progressive web app (issue 14, point 3): the manifest, the icons and the service worker."""
import json
import struct
from pathlib import Path

from django.conf import settings
from django.urls import reverse

STATIC = Path(settings.BASE_DIR) / "static"


def test_the_service_worker_is_served_under_me_with_its_scope_and_the_csp(client, world):
    response = client.get(reverse("me:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/me/"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert "__VERSION__" not in body and "addEventListener('fetch'" in body
    assert '"/me/"' in body and '"/me/log/?another=1"' in body  # kept at install
    assert "/static/css/app.css" in body


def test_the_service_worker_refuses_a_post(client, world):
    client.force_login(world.athlete_user)
    assert client.post(reverse("me:service_worker")).status_code == 405


def test_the_manifest_installs_the_athlete_pages_with_png_icons():
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text())
    assert manifest["start_url"] == "/me/" and manifest["scope"] == "/me/" and manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        path = STATIC / icon["src"].removeprefix("/static/")
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", icon["src"]
        width, height = struct.unpack(">II", data[16:24])
        assert f"{width}x{height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes  # what Chrome asks for before it offers "install"
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])


def test_athlete_pages_link_the_manifest_and_the_offline_script_and_staff_pages_do_not(client, world):
    client.force_login(world.athlete_user)
    page = client.get(reverse("me:today")).content.decode()
    assert 'rel="manifest"' in page and "js/offline.js" in page and f'data-user="{world.athlete_user.pk}"' in page
    client.force_login(world.clinician)
    page = client.get(reverse("clinic:roster")).content.decode()
    assert 'rel="manifest"' not in page and "js/offline.js" not in page


def test_the_log_and_report_forms_are_marked_for_the_offline_queue(client, world):
    client.force_login(world.athlete_user)
    page = client.get(reverse("me:log")).content.decode()
    assert "data-offline-queue" in page and 'name="client_id"' in page
