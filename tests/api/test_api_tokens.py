"""Personal API tokens: created, rotated and revoked by clinicians (API and page), used by integrations; throttled."""
import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token

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
    assert len(key) == 40 and created.json()["created"]

    with_token = api_for(token=key)
    assert with_token.get("/api/v1/athletes/").status_code == 200
    assert with_token.post("/api/v1/athletes/", {"first_name": "By", "last_name": "Token"}).status_code == 201

    rotated = with_token.post("/api/v1/tokens/").json()["key"]
    assert rotated != key
    assert with_token.get("/api/v1/athletes/").status_code == 401, "the old token stops working at once"
    assert api_for(token=rotated).delete("/api/v1/tokens/").status_code == 204
    assert api_for(token=rotated).get("/api/v1/athletes/").status_code == 401
    assert not Token.objects.exists()

    actions = list(AuditEvent.objects.filter(actor=world.clinician, action__startswith="api_token")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["api_token.create", "api_token.rotate", "api_token.revoke"]
    assert not AuditEvent.objects.filter(after__icontains=key).exists(), "the audit trail never holds a key"


@pytest.mark.parametrize("user", ["coach", "athlete_user"])
def test_only_clinicians_get_tokens(world, api_for, user):
    assert api_for(getattr(world, user)).post("/api/v1/tokens/").status_code == 403
    assert not Token.objects.exists()


def test_anonymous_gets_a_401_naming_the_scheme(world, api_for):
    response = api_for().get("/api/v1/athletes/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    bad = api_for(token="0" * 40).get("/api/v1/athletes/")
    assert bad.status_code == 401 and bad.json() == {"detail": "Invalid token."}


def test_a_token_sees_what_its_clinician_sees(world, api_for):
    key = Token.objects.create(user=world.other_clinician).key
    assert api_for(token=key).get(f"/api/v1/athletes/{world.athlete.pk}/").status_code == 404


def test_the_token_page(world, client_for):
    client = client_for(world.clinician)
    page = client.get("/account/api-token/")
    assert page.status_code == 200 and b"You have no token" in page.content
    assert "no-store" in page["Cache-Control"]
    created = client.post("/account/api-token/", {"action": "create"})
    key = Token.objects.get(user=world.clinician).key
    assert created.status_code == 200 and key.encode() in created.content
    assert key.encode() not in client.get("/account/api-token/").content, "the key is shown once"
    revoked = client.post("/account/api-token/", {"action": "revoke"})
    assert revoked.status_code == 302 and not Token.objects.exists()
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
    good = Token.objects.create(user=world.clinician).key
    statuses = [api_for(token=f"{n:040d}").get("/api/v1/athletes/").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    throttled = api_for(token=good).get("/api/v1/athletes/")
    assert throttled.status_code == 429, "once throttled, even a right token waits: guessing learns nothing"
    assert "Retry-After" in throttled
