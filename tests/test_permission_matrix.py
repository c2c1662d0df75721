"""The permission matrix: every URL name, for every role, answers as it should.

URLs are collected from the resolver, so a new view without an entry here fails `test_every_url_is_in_the_matrix`.
Objects outside a user's scope are 404 (ids leak nothing); pages of another role are 403; anonymous users go to login.
"""
import datetime
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from progression.models import Decision, Plan, Protocol
from sessions.models import SessionLog

ROLES = ["anon", "athlete", "other_athlete", "coach", "other_coach", "clinician", "other_clinician"]
ROLE_USER = {
    "anon": None, "athlete": "athlete_user", "other_athlete": "other_athlete_user", "coach": "coach",
    "other_coach": "other_coach", "clinician": "clinician", "other_clinician": "other_clinician",
}


def expect(anon=302, athlete=403, other_athlete=403, coach=403, other_coach=403, clinician=200, other_clinician=200):
    return dict(anon=anon, athlete=athlete, other_athlete=other_athlete, coach=coach, other_coach=other_coach,
                clinician=clinician, other_clinician=other_clinician)


CLINICIAN_PAGE = expect()
CLINICIAN_OBJECT = expect(other_clinician=404)
CARE_TEAM_OBJECT = expect(coach=200, other_coach=404, other_clinician=404)
ATHLETE_PAGE = expect(athlete=200, other_athlete=200, clinician=403, other_clinician=403)
ATHLETE_OBJECT = expect(athlete=200, other_athlete=404, clinician=403, other_clinician=403)
ANY_LOGGED_IN = expect(athlete=200, other_athlete=200, coach=200, other_coach=200)
PUBLIC = {role: 200 for role in ROLES}


@dataclass
class Case:
    expected: dict
    kwargs: object = None           # fn(objects) -> dict
    method: str = "get"
    data: object = None             # fn(objects) -> dict
    follow_ok: set = field(default_factory=set)


def post_redirect(other_clinician=404):
    """A clinician's POST action: done and redirected (302), out of scope 404, other roles 403."""
    return expect(clinician=302, other_clinician=other_clinician)


CASES = {
    "home": Case(expect(athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302, other_clinician=302)),
    "healthz": Case(PUBLIC),
    "login": Case(expect(anon=200, athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302, other_clinician=302)),
    "logout": Case(expect(anon=302, athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302, other_clinician=302), method="post"),
    "password_change": Case(ANY_LOGGED_IN),
    "password_change_done": Case(ANY_LOGGED_IN),
    "password_reset": Case(PUBLIC),
    "password_reset_done": Case(PUBLIC),
    "password_reset_confirm": Case(PUBLIC, kwargs=lambda o: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Case(PUBLIC),
    "notifications": Case(ANY_LOGGED_IN),
    "notifications_mark_read": Case(expect(athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302,
                                           other_clinician=302), method="post"),
    "athletes:roster": Case(CLINICIAN_PAGE),
    "athletes:create": Case(CLINICIAN_PAGE),
    "athletes:detail": Case(CARE_TEAM_OBJECT, kwargs=lambda o: {"pk": o["athlete"].pk}),
    "athletes:injury_create": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"athlete_pk": o["athlete"].pk}),
    "training:assessment_create": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"injury_pk": o["injury"].pk}),
    "progression:plan_start": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"athlete_pk": o["athlete"].pk}),
    "progression:plan_status": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["plan"].pk, "status": "paused"},
                                    data=lambda o: {"version": o["plan"].version}),
    "progression:decision_sign_off": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["decision"].pk},
                                          data=lambda o: {"version": o["plan"].version}),
    "progression:decision_reject": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["decision"].pk},
                                        data=lambda o: {"version": o["plan"].version, "reason": "not yet"}),
    "progression:decision_override": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["decision"].pk},
                                          data=lambda o: {"version": o["plan"].version, "to_phase": 1, "reason": "judgement"}),
    "progression:plan_settings": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"pk": o["plan"].pk}),
    "progression:session_correct": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"pk": o["session"].pk}),
    "progression:session_void": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["session"].pk},
                                     data=lambda o: {"reason": "entered for the wrong athlete"}),
    "progression:report_correct": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"pk": o["report"].pk}),
    "progression:report_void": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["report"].pk},
                                    data=lambda o: {"reason": "sent for the wrong session"}),
    "progression:assessment_correct": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"pk": o["assessment"].pk}),
    "progression:assessment_void": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["assessment"].pk},
                                        data=lambda o: {"reason": "wrong athlete"}),
    "progression:protocols": Case(CLINICIAN_PAGE),
    "progression:protocol_detail": Case(CLINICIAN_PAGE, kwargs=lambda o: {"pk": o["protocol"].pk}),
    "progression:protocol_edit": Case(CLINICIAN_PAGE, kwargs=lambda o: {"pk": o["protocol"].pk}),
    "progression:protocol_bench": Case(CLINICIAN_PAGE, kwargs=lambda o: {"pk": o["protocol"].pk}),
    "coach:week": Case(expect(coach=200, other_coach=200)),
    "coach:week_export": Case(expect(coach=200, other_coach=200), kwargs=lambda o: {"fmt": "csv"}),
    "coach:rate": Case(CARE_TEAM_OBJECT, kwargs=lambda o: {"pk": o["session"].pk}),
    "coach:measure": Case(CARE_TEAM_OBJECT, kwargs=lambda o: {"pk": o["session"].pk}),
    "coach:rating_void": Case(expect(coach=302, other_coach=404, clinician=302, other_clinician=404), method="post",
                              kwargs=lambda o: {"pk": o["rating"].pk}, data=lambda o: {"reason": "rated the wrong clip"}),
    "plan_notes": Case(expect(athlete=200, other_athlete=404, coach=200, other_coach=404, other_clinician=404),
                       kwargs=lambda o: {"pk": o["plan"].pk}),
    "technique_video": Case(expect(athlete=200, other_athlete=404, coach=200, other_coach=404, other_clinician=404),
                            kwargs=lambda o: {"pk": o["rating"].pk}),
    "me:today": Case(ATHLETE_PAGE),
    "me:log": Case(ATHLETE_PAGE),
    "me:progress": Case(ATHLETE_PAGE),
    "me:warning_signs": Case(ATHLETE_PAGE),
    "me:stop": Case(ATHLETE_OBJECT, kwargs=lambda o: {"pk": o["session"].pk}),
    "me:report": Case(ATHLETE_OBJECT, kwargs=lambda o: {"pk": o["session"].pk}),
    "me:edit_session": Case(ATHLETE_OBJECT, kwargs=lambda o: {"pk": o["session"].pk}),
    "api_token": Case(CLINICIAN_PAGE),
    "account": Case(ANY_LOGGED_IN),
    "logout_everywhere": Case(expect(athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302,
                                     other_clinician=302), method="post"),
}

SKIPPED_NAMESPACES = {"admin", "api"}  # admin: see test_admin_is_staff_only; api: tests/api/test_api_permission_matrix.py


def url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from url_names(entry, f"{prefix}{ns}:" if ns else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def test_every_url_is_in_the_matrix():
    missing = sorted(set(url_names()) - set(CASES))
    assert not missing, f"URL names without a row in the permission matrix: {missing}"


@pytest.fixture
def objects(world):
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = Plan.objects.create(injury=world.injury, protocol=protocol, clinician=world.clinician)
    session = SessionLog.objects.create(athlete=world.athlete, plan=plan, pain_during=1, rpe=5, minutes=30)
    decision = Decision.objects.create(
        plan=plan, trigger="session_log", session_log=session, protocol_slug=protocol.slug, protocol_version=1,
        decided_on=datetime.date.today(), inputs={}, reasons=[], decided_by_rule="exit", outcome="advance",
        from_phase=0, to_phase=1, status="awaiting_signoff",
    )
    from django.core.files.base import ContentFile

    from sessions.models import TechniqueRating

    rating = TechniqueRating(session_log=session, kind="drill", items_correct=[], score=0, rated_by=world.coach)
    rating.video.save("clip.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
    rating.save()
    from sessions.models import Assessment, SymptomReport

    report = SymptomReport.objects.create(session_log=session, soreness_24h=1)
    assessment = Assessment.objects.create(injury=world.injury, clinician=world.clinician, pain_palpation=1,
                                           plan=plan)
    return {"world": world, "athlete": world.athlete, "injury": world.injury, "plan": plan, "session": session,
            "decision": decision, "protocol": protocol, "rating": rating, "report": report, "assessment": assessment}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_permission_matrix(name, role, objects, client_for):
    from django.urls import reverse

    case = CASES[name]
    url = reverse(name, kwargs=case.kwargs(objects) if case.kwargs else None)
    user = getattr(objects["world"], ROLE_USER[role]) if ROLE_USER[role] else None
    client = client_for(user)
    data = case.data(objects) if case.data else {}
    response = getattr(client, case.method)(url, data)
    assert response.status_code == case.expected[role], (
        f"{case.method.upper()} {url} as {role}: {response.status_code}, expected {case.expected[role]}")
    if response.status_code == 302 and role == "anon" and name not in ("logout", "home"):
        assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_is_staff_only(world, client_for):
    assert client_for(world.clinician).get("/admin/").status_code == 302
    assert client_for(world.staff).get("/admin/").status_code == 200
