"""Login protection (issue 10, finding 2 and part of 9): lockout on the web login, the admin login and the API's
token endpoint, audited; throttled password resets; an idle timeout for staff; "log out everywhere"."""
import base64
import datetime
import os
import uuid

import pytest
from django.core import mail
from knox.models import AuthToken

from core import clock
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

LIMIT = 5  # AXES_FAILURE_LIMIT: the figure the report gives


def web_login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def admin_login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_web_login_locks_out_after_five_wrong_passwords(world, client):
    statuses = [web_login(client, "clin", f"wrong-{n}").status_code for n in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429], "the fifth wrong password locks the username + address"
    right = web_login(client, "clin", "pw")
    assert right.status_code == 429, "even the right password waits out the lockout"
    assert "_auth_user_id" not in client.session
    body = right.content.decode()
    assert "logging in is paused for 15 minutes" in body and "Wait 15 minutes, then try again" in body
    assert right["Retry-After"] == "900"


def test_sixty_wrong_passwords_then_the_right_one_does_not_log_in(world, client):
    """The penetration test's sequence, as found."""
    for n in range(60):
        web_login(client, "clin", f"guess-{n}")
    assert web_login(client, "clin", "pw").status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_and_the_lockout_are_audited(world, client):
    for n in range(LIMIT):
        web_login(client, "clin", f"wrong-{n}")
    web_login(client, "nobody-by-that-name", "x")
    failed = AuditEvent.objects.filter(action="login.failed").order_by("id")
    assert failed.count() == LIMIT + 1
    first = failed.first()
    assert first.target_type == "auth.user" and first.target_id == str(world.clinician.pk)
    assert first.organisation_id == world.org.pk and first.actor_id is None
    assert first.after["username"] == "clin" and first.after["address"] == "127.0.0.1" and first.after["where"] == "web"
    assert "wrong-0" not in str(first.after), "never a password"
    unknown = failed.last()
    assert unknown.after["known_user"] is False and unknown.target_id == ""
    lockout = AuditEvent.objects.get(action="login.lockout")
    assert lockout.target_id == str(world.clinician.pk)
    assert lockout.after == {**lockout.after, "minutes": 15, "after_failures": LIMIT, "where": "web"}


def test_the_lockout_ends_after_its_cool_off(world, client, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=1)
    for n in range(LIMIT):
        web_login(client, "clin", f"wrong-{n}")
    assert web_login(client, "clin", "pw").status_code == 429
    from django.core.cache import cache

    cache.clear()  # what the cool-off's expiry does (no sleeping in tests)
    assert web_login(client, "clin", "pw").status_code == 302


def test_the_lockout_is_per_username_and_address(world, client):
    for n in range(LIMIT):
        web_login(client, "clin", f"wrong-{n}")
    assert web_login(client, "clin", "pw").status_code == 429
    assert web_login(client, "coach", "pw").status_code == 302, "another username from the same address"
    from django.test import Client

    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert web_login(elsewhere, "clin", "pw").status_code == 302, "the same username from another address"


def test_a_made_up_x_forwarded_for_does_not_escape_the_lockout(world, client):
    for n in range(LIMIT + 3):
        web_login(client, "clin", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert web_login(client, "clin", "pw", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_behind_one_trusted_proxy_the_lockout_keys_on_the_address_it_reports(world, settings):
    from django.test import Client

    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(LIMIT):
        web_login(proxy, "clin", f"wrong-{n}", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert web_login(proxy, "clin", "pw", HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.5").status_code == 429
    assert web_login(proxy, "clin", "pw", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302, (
        "another client behind the same proxy is not locked out")


def test_a_success_before_the_limit_clears_the_count(world, client):
    for n in range(LIMIT - 1):
        web_login(client, "clin", f"wrong-{n}")
    assert web_login(client, "clin", "pw").status_code == 302
    client.post("/accounts/logout/")
    for n in range(LIMIT - 1):
        assert web_login(client, "clin", f"again-{n}").status_code == 200


def test_the_admin_login_locks_out_too(world, client):
    statuses = [admin_login(client, "staff", f"wrong-{n}").status_code for n in range(LIMIT)]
    assert statuses[-1] == 429
    assert admin_login(client, "staff", "pw").status_code == 429
    failed = AuditEvent.objects.filter(action="login.failed", after__where="admin").order_by("id")
    assert failed.count() == LIMIT + 1, "the refused right password counts as a failed login too"
    assert failed.last().after["locked_out"] is True


def test_the_api_token_endpoint_takes_a_password_and_locks_out(world, api_for):
    api = api_for()
    ok = api.post("/api/v1/tokens/", HTTP_AUTHORIZATION=basic("clin", "pw"))
    assert ok.status_code == 201 and len(ok.json()["key"]) == 64
    statuses = [api.post("/api/v1/tokens/", HTTP_AUTHORIZATION=basic("clin", f"wrong-{n}")).status_code
                for n in range(LIMIT)]
    assert statuses == [401] * (LIMIT - 1) + [429]
    locked = api.post("/api/v1/tokens/", HTTP_AUTHORIZATION=basic("clin", "pw"))
    assert locked.status_code == 429 and "paused for 15 minutes" in locked.json()["detail"]
    assert AuditEvent.objects.filter(action="login.failed", after__where="api").count() >= LIMIT
    assert AuditEvent.objects.filter(action="login.lockout", after__where="api").exists()


def test_the_api_basic_password_is_only_for_the_token_endpoint(world, api_for):
    response = api_for().get("/api/v1/athletes/", HTTP_AUTHORIZATION=basic("clin", "pw"))
    assert response.status_code == 401


# --- password reset ---------------------------------------------------------------------------------------

def reset(client, email):
    return client.post("/accounts/password_reset/", {"email": email})


def test_password_reset_sends_at_most_three_emails_per_account_per_hour(world, client):
    answers = [reset(client, "clin@example.org") for _ in range(10)]
    assert [a.status_code for a in answers] == [302] * 10
    assert {a["Location"] for a in answers} == {"/accounts/password_reset/done/"}, "the same answer every time"
    assert len(mail.outbox) == 3


def test_password_reset_answers_the_same_for_an_unknown_address(world, client):
    known = reset(client, "clin@example.org")
    unknown = reset(client, "no-such-person@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def test_password_reset_is_throttled_per_address(world, settings):
    from django.test import Client

    settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 4
    client = Client(REMOTE_ADDR="198.51.100.30")
    emails = ["clin@example.org", "coach@example.org", "coach2@example.org", "ath@example.org", "ath2@example.org",
              "staff@example.org"]
    for email in emails:
        assert reset(client, email).status_code == 302
    assert len(mail.outbox) == 4, "one address cannot spray reset emails across accounts"
    assert reset(Client(REMOTE_ADDR="198.51.100.31"), "staff@example.org").status_code == 302
    assert len(mail.outbox) == 5


# --- idle timeout ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["clinician", "coach"])
def test_staff_are_logged_out_after_eight_idle_hours(world, client_for, who):
    page = {"clinician": "/clinic/", "coach": "/coach/"}[who]
    clock.travel_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC))
    client = client_for(getattr(world, who))
    assert client.get(page).status_code == 200
    clock.advance(hours=7, minutes=59)
    assert client.get(page).status_code == 200, "activity within 8 hours keeps the session"
    clock.advance(hours=7, minutes=59)
    assert client.get(page).status_code == 200, "the 8 hours run from the last request, not from the login"
    clock.advance(hours=8, minutes=1)
    gone = client.get(page)
    assert gone.status_code == 302 and gone["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    login_page = client.get(gone["Location"])
    assert "logged out after 8 hours without activity" in login_page.content.decode()


def test_athletes_keep_their_phone_session(world, client_for):
    clock.travel_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC))
    client = client_for(world.athlete_user)
    assert client.get("/me/").status_code == 200
    clock.advance(days=3)
    assert client.get("/me/").status_code == 200


def test_the_idle_timeout_is_a_setting(world, client_for, settings):
    settings.CLINICIAN_IDLE_TIMEOUT = datetime.timedelta(minutes=30)
    clock.travel_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC))
    client = client_for(world.clinician)
    client.get("/clinic/")
    clock.advance(minutes=31)
    assert client.get("/clinic/").status_code == 302


def test_an_idle_api_session_gets_a_401(world, api_for):
    clock.travel_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC))
    api = api_for(world.clinician)
    assert api.get("/api/v1/athletes/").status_code == 200
    clock.advance(hours=9)
    assert api.get("/api/v1/athletes/").status_code == 401


# --- log out everywhere ----------------------------------------------------------------------------------

def test_log_out_everywhere_ends_every_session_and_revokes_tokens(world, client_for, api_for):
    from django.test import Client

    laptop, phone = Client(), Client()
    assert web_login(laptop, "clin", "pw").status_code == 302
    assert web_login(phone, "clin", "pw").status_code == 302
    other = client_for(world.coach)
    key = api_for(world.clinician).post("/api/v1/tokens/").json()["key"]

    page = laptop.get("/account/")
    assert page.status_code == 200 and b"Log out everywhere" in page.content
    done = laptop.post("/account/logout-everywhere/", follow=True)
    assert done.redirect_chain[-1][0] == "/accounts/login/"
    assert "logged out on every device" in done.content.decode()
    assert phone.get("/clinic/").status_code == 302, "the other device is logged out"
    assert laptop.get("/clinic/").status_code == 302
    assert api_for(token=key).get("/api/v1/athletes/").status_code == 401
    assert not AuthToken.objects.filter(user=world.clinician).exists()
    assert other.get("/coach/").status_code == 200, "nobody else is logged out"
    event = AuditEvent.objects.get(action="account.logout_everywhere")
    assert event.actor_id == world.clinician.pk and event.after == {"sessions": 3, "tokens": 1}  # + api_for's


def test_log_out_everywhere_is_a_post(world, client_for):
    client = client_for(world.athlete_user)
    assert client.get("/account/logout-everywhere/").status_code == 405
    assert client.get("/me/").status_code == 200


# --- the shared cache -------------------------------------------------------------------------------------

def test_production_keeps_the_counts_in_redis():
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update({"DJANGO_SETTINGS_MODULE": "rehab.settings.production", "SECRET_KEY": "x" * 60,
                "ALLOWED_HOSTS": "x", "REDIS_URL": "redis://redis.invalid:6379/0"})
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.AXES_HANDLER)"
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=env,
                         capture_output=True, text=True, check=True).stdout.split()[-2:]
    assert out == ["django.core.cache.backends.redis.RedisCache", "axes.handlers.cache.AxesCacheHandler"]


@pytest.mark.redis
def test_a_lockout_on_redis_is_seen_by_every_worker(world, settings):
    """Two cache connections (two gunicorn workers) share one count: the per-process memory did not."""
    from django.core.cache import caches
    from django.test import Client

    from tests.conftest import need

    url = os.environ.get("REDIS_URL", "")
    need(bool(url), "REDIS_URL is not set")
    prefix = f"test-lockout-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                                   "KEY_PREFIX": prefix}}
    try:
        worker_one, worker_two = Client(), Client()
        for n in range(LIMIT - 1):
            web_login(worker_one, "clin", f"wrong-{n}")
        first = caches["default"]
        caches["default"] = caches.create_connection("default")  # a new client and pool, as another process has
        assert caches["default"] is not first
        assert web_login(worker_two, "clin", "wrong-last").status_code == 429
        assert web_login(worker_one, "clin", "pw").status_code == 429
    finally:
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
