"""Personal API tokens: created, rotated and revoked by clinicians (API and page), used by integrations; throttled.

Tokens are knox tokens (issue 10, finding 3): stored as a digest, expiring, revoked by a password change.
"""
import datetime

import pytest
from django.core.cache import cache
from knox.models import AuthToken

from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth_rate(settings):
    """Set the "auth" throttle rate for one test (the test settings raise it to 1000/min)."""
    cache.clear()

    def set_rate(rate):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": rate}}

    yield set_rate
    cache.clear()


def test_create_use_rotate_and_revoke(world, api_for):
    created = api_for(world.clinician).post("/api/v1/tokens/")
    assert created.status_code == 201
    key = created.json()["key"]
    assert len(key) == 64 and created.json()["created"]

    with_token = api_for(token=key)
    assert with_token.get("/api/v1/athletes/").status_code == 200
    assert with_token.post("/api/v1/athletes/", {"first_name": "By", "last_name": "Token"}).status_code == 201

    rotated = with_token.post("/api/v1/tokens/").json()["key"]
    assert rotated != key
    assert with_token.get("/api/v1/athletes/").status_code == 401, "the old token stops working at once"
    assert api_for(token=rotated).delete("/api/v1/tokens/").status_code == 204
    assert api_for(token=rotated).get("/api/v1/athletes/").status_code == 401
    assert not AuthToken.objects.exists()

    actions = list(AuditEvent.objects.filter(actor=world.clinician, action__startswith="api_token")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["api_token.create", "api_token.rotate", "api_token.revoke"]
    assert not AuditEvent.objects.filter(after__icontains=key).exists(), "the audit trail never holds a key"


@pytest.mark.parametrize("user", ["coach", "athlete_user"])
def test_only_clinicians_get_tokens(world, api_for, user):
    assert api_for(getattr(world, user)).post("/api/v1/tokens/").status_code == 403
    assert not AuthToken.objects.exists()


def test_anonymous_gets_a_401_naming_the_scheme(world, api_for):
    response = api_for().get("/api/v1/athletes/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    bad = api_for(token="0" * 40).get("/api/v1/athletes/")
    assert bad.status_code == 401 and bad.json() == {"detail": "Invalid token."}


def test_a_token_sees_what_its_clinician_sees(world, api_for):
    key = AuthToken.objects.create(world.other_clinician)[1]
    assert api_for(token=key).get(f"/api/v1/athletes/{world.athlete.pk}/").status_code == 404


def test_the_token_page(world, client_for, api_for):
    client = client_for(world.clinician)
    page = client.get("/account/api-token/")
    assert page.status_code == 200 and b"You have no token" in page.content
    assert "no-store" in page["Cache-Control"]
    created = client.post("/account/api-token/", {"action": "create"})
    key = created.context["new_key"]
    assert created.status_code == 200 and len(key) == 64 and key.encode() in created.content
    assert api_for(token=key).get("/api/v1/athletes/").status_code == 200
    again = client.get("/account/api-token/")
    assert key.encode() not in again.content, "the key is shown once"
    assert b"stops working on" in again.content
    revoked = client.post("/account/api-token/", {"action": "revoke"})
    assert revoked.status_code == 302 and not AuthToken.objects.exists()
    assert client_for(world.coach).get("/account/api-token/").status_code == 403


def test_token_endpoints_are_throttled(world, api_for, auth_rate):
    auth_rate("2/min")
    api = api_for(world.clinician)
    assert [api.post("/api/v1/tokens/").status_code for _ in range(3)] == [201, 201, 429]
    assert api.delete("/api/v1/tokens/").status_code == 429
    # Another clinician has their own allowance.
    assert api_for(world.staff).post("/api/v1/tokens/").status_code == 201


def test_wrong_tokens_are_throttled_per_address(world, api_for, auth_rate):
    auth_rate("3/min")
    good = AuthToken.objects.create(world.clinician)[1]
    statuses = [api_for(token=f"{n:040d}").get("/api/v1/athletes/").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    throttled = api_for(token=good).get("/api/v1/athletes/")
    assert throttled.status_code == 429, "once throttled, even a right token waits: guessing learns nothing"
    assert "Retry-After" in throttled


def test_wrong_tokens_are_throttled_whatever_x_forwarded_for_says(world, api_for, auth_rate):
    """Rotating a made-up X-Forwarded-For gave every guess a fresh allowance (finding 2)."""
    auth_rate("3/min")
    statuses = [api_for(token=f"{n:064d}").get("/api/v1/athletes/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
                for n in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


def test_only_a_digest_is_stored(world, api_for):
    key = api_for(world.clinician).post("/api/v1/tokens/").json()["key"]
    row = AuthToken.objects.get()
    assert key not in (row.digest, row.token_key) and len(row.digest) == 128
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        assert not any(key in str(value) for value in cursor.fetchone()), "no column holds the key"


def test_tokens_expire_after_90_days_by_default(world, api_for):
    from core import clock

    created = api_for(world.clinician).post("/api/v1/tokens/").json()
    row = AuthToken.objects.get()
    assert abs((row.expiry - clock.now()) - datetime.timedelta(days=90)) < datetime.timedelta(minutes=1)
    assert created["expiry"]
    AuthToken.objects.update(expiry=clock.now() - datetime.timedelta(seconds=1))
    assert api_for(token=created["key"]).get("/api/v1/athletes/").status_code == 401
    assert not AuthToken.objects.exists(), "an expired token is deleted when it is next presented"


def test_the_expiry_is_a_setting(world, api_for, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(days=7)}
    api_for(world.clinician).post("/api/v1/tokens/")
    from core import clock

    assert AuthToken.objects.get().expiry < clock.now() + datetime.timedelta(days=8)


def test_a_password_change_revokes_the_tokens(world, api_for, client_for):
    key = api_for(world.clinician).post("/api/v1/tokens/").json()["key"]
    page = client_for(world.clinician)
    changed = page.post("/accounts/password_change/", {
        "old_password": "pw", "new_password1": "Another-long-pass-42", "new_password2": "Another-long-pass-42"})
    assert changed.status_code == 302
    assert api_for(token=key).get("/api/v1/athletes/").status_code == 401
    assert not AuthToken.objects.filter(user=world.clinician).exists()
    assert AuditEvent.objects.filter(action="api_token.revoke_all", target_id=str(world.clinician.pk)).exists()


def test_a_password_reset_by_code_revokes_the_tokens_too(world):
    AuthToken.objects.create(world.clinician)
    world.clinician.set_password("Reset-by-admin-77")
    world.clinician.save()
    assert not AuthToken.objects.filter(user=world.clinician).exists()
    AuthToken.objects.create(world.clinician)
    world.clinician.first_name = "Dana"
    world.clinician.save()
    world.clinician.save(update_fields=["last_login"])
    assert AuthToken.objects.filter(user=world.clinician).exists(), "other changes leave tokens alone"


def test_the_admin_never_shows_a_key_or_lets_staff_mint_one(world, api_for, client_for):
    key = api_for(world.clinician).post("/api/v1/tokens/").json()["key"]
    admin = client_for(world.staff)
    listing = admin.get("/admin/knox/authtoken/")
    assert listing.status_code == 200 and b"clin" in listing.content
    assert key.encode() not in listing.content and key[:15].encode() not in listing.content
    assert admin.get("/admin/knox/authtoken/add/").status_code == 403


def test_a_token_header_that_is_not_text_is_a_401_not_a_500(world, api_for):
    response = api_for().get("/api/v1/athletes/", HTTP_AUTHORIZATION="Token \xff\xfe".encode("latin-1").decode("latin-1"))
    assert response.status_code == 401
