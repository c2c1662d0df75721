"""Technique videos (issue 10, finding 1): only video containers go in, under a generated name; what comes out
cannot run script from the app's origin, whatever is in storage."""
import re
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from progression import services as plan_services
from progression.models import Protocol
from sessions.models import SessionLog, TechniqueRating
from sessions.uploads import sniff, validate_video_file

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 64
MKV = b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska" + b"\x00" * 64
AVI = b"RIFF\x24\x00\x00\x00AVI LIST" + b"\x00" * 64
HTML = b"<!doctype html><script>fetch('/api/v1/athletes/')</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


@pytest.fixture
def log(world):
    plan = plan_services.plan_start(actor=world.clinician, injury=world.injury,
                                    protocol=Protocol.objects.get(slug="hamstring-rts", version=1))
    return SessionLog.objects.create(athlete=world.athlete, plan=plan, pain_during=1, rpe=5, minutes=30,
                                     logged_by=world.athlete_user)


def upload(client, log, name, content, content_type="video/mp4"):
    return client.post(f"/coach/sessions/{log.pk}/rate/", {
        "items_correct": ["tall_posture"], "video": SimpleUploadedFile(name, content, content_type)})


def stored(log, coach, name, content) -> TechniqueRating:
    """A file put straight into storage, as one uploaded before these checks (or planted) would be."""
    rating = TechniqueRating(session_log=log, kind="drill", items_correct=[], score=0, rated_by=coach)
    rating.save()
    name = rating.video.storage.save(name, ContentFile(content))  # storage may add a suffix to a taken name
    TechniqueRating.objects.filter(pk=rating.pk).update(video=name)
    rating.refresh_from_db()
    return rating


@pytest.mark.parametrize("name, content", [
    ("clip.mp4", MP4), ("clip.MOV", MOV), ("clip.webm", WEBM), ("clip.mkv", MKV), ("clip.avi", AVI),
    ("clip.m4v", MP4), ("iphone.mov", MP4),
])
def test_video_containers_are_accepted(name, content):
    validate_video_file(SimpleUploadedFile(name, content))


@pytest.mark.parametrize("name, content", [
    ("evil.html", HTML), ("evil.svg", SVG), ("evil.mp4", HTML), ("evil.mp4", SVG), ("evil.webm", MP4),
    ("photo.mp4", HEIC), ("clip.mp4.html", MP4), ("clip", MP4), ("evil.svg", MP4), ("empty.mp4", b""),
])
def test_anything_else_is_refused_by_name_or_content(name, content):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not a video"):
        validate_video_file(SimpleUploadedFile(name, content))


def test_sniffing_reads_the_container_not_the_name():
    assert sniff(MP4) == {"isobmff", "quicktime"} and sniff(WEBM) == {"ebml"} and sniff(AVI) == {"riff-avi"}
    assert sniff(HTML) == sniff(SVG) == sniff(HEIC) == sniff(b"") == set()


@pytest.mark.parametrize("name, content", [("evil.html", HTML), ("evil.svg", SVG), ("evil.mp4", HTML)])
def test_the_rate_page_refuses_a_page_posing_as_a_video(world, log, client_for, name, content):
    response = upload(client_for(world.coach), log, name, content, "text/html")
    assert response.status_code == 200
    assert "This file is not a video we can store" in response.content.decode()
    assert not TechniqueRating.objects.exists()


def test_a_video_is_stored_under_a_generated_name_and_served_safely(world, log, client_for):
    response = upload(client_for(world.coach), log, "Alex Runner sprint 3 <b>.mp4", MP4)
    assert response.status_code == 302
    rating = TechniqueRating.objects.get()
    assert re.fullmatch(r"technique/\d{4}/\d{2}/[0-9a-f]{32}\.mp4", rating.video.name), rating.video.name
    assert "Alex" not in rating.video.name

    served = client_for(world.clinician).get(f"/technique/{rating.pk}/video/")
    assert served.status_code == 200
    assert served["Content-Type"] == "video/mp4"
    assert served["Content-Disposition"] == f'inline; filename="technique-{rating.pk}.mp4"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    assert served["Cache-Control"] == "private, no-store"
    assert b"".join(served.streaming_content if served.streaming else [served.content]).startswith(MP4[:12])


def test_a_container_browsers_do_not_play_is_a_download(world, log, client_for):
    upload(client_for(world.coach), log, "clip.mkv", MKV)
    rating = TechniqueRating.objects.get()
    served = client_for(world.coach).get(f"/technique/{rating.pk}/video/")
    assert served["Content-Type"] == "video/x-matroska"
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize("name, content", [
    ("technique/2025/01/evil.html", HTML), ("technique/2025/01/evil.svg", SVG), ("technique/2025/01/clip.mp4", HTML),
    ("technique/2025/01/clip.mp4", SVG), ("technique/2025/01/notes.txt", b"hello"), ("technique/2025/01/x.svg.gz", SVG),
])
def test_a_stored_file_that_is_not_what_its_name_says_is_never_served_inline(world, log, client_for, name, content):
    rating = stored(log, world.coach, name, content)
    served = client_for(world.clinician).get(f"/technique/{rating.pk}/video/")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"] == f'attachment; filename="technique-{rating.pk}.bin"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    assert served["Cache-Control"] == "private, no-store"
    assert "Content-Encoding" not in served


def test_a_missing_file_is_a_404(world, log, client_for):
    rating = stored(log, world.coach, "technique/2025/01/gone.mp4", MP4)
    rating.video.storage.delete(rating.video.name)
    assert client_for(world.clinician).get(f"/technique/{rating.pk}/video/").status_code == 404


def test_in_production_the_web_server_sends_the_bytes(world, log, client_for, settings):
    from django_sendfile.utils import _get_sendfile

    rating = stored(log, world.coach, f"technique/2025/01/{uuid.uuid4().hex}.mp4", MP4)
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_URL = "/protected-media"
    _get_sendfile.cache_clear()
    try:
        served = client_for(world.clinician).get(f"/technique/{rating.pk}/video/")
    finally:
        _get_sendfile.cache_clear()
    assert served["X-Accel-Redirect"] == f"/protected-media/{rating.video.name}"
    assert served.content == b"", "nginx reads the file; gunicorn sends only headers"
    assert served["Content-Type"] == "video/mp4" and served["Content-Security-Policy"] == "sandbox"
    assert served["Cache-Control"] == "private, no-store"
