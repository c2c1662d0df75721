"""The permission matrix: every URL name, for every role, answers as it should.

URLs are collected from the resolver, so a new view without an entry here fails `test_every_url_is_in_the_matrix`.
Objects outside a user's scope are 404 (ids leak nothing); pages of another role are 403; anonymous users go to login.

Every POST row also compares the whole database before and after the request (tests/db_snapshot.py): a refused
request must change nothing, an allowed write must change something. A status code alone cannot tell the two
apart on pages that redirect either way.

The "dual" role is a clinician of the other organisation who also coaches the athlete's team: the pages and the
selectors let them see the athlete (as a coach), so only the services' own permission checks stop their
clinician actions. Without this role no row could fail if a service forgot its check (see the tests at the end).
"""
import datetime
import uuid
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from progression.models import Decision, Plan, Protocol
from sessions.models import SessionLog

ROLES = ["anon", "athlete", "other_athlete", "coach", "other_coach", "clinician", "other_clinician", "dual"]
ROLE_USER = {
    "anon": None, "athlete": "athlete_user", "other_athlete": "other_athlete_user", "coach": "coach",
    "other_coach": "other_coach", "clinician": "clinician", "other_clinician": "other_clinician",
}


def expect(anon=302, athlete=403, other_athlete=403, coach=403, other_coach=403, clinician=200, other_clinician=200,
           dual=None):
    """`dual` defaults to the clinician's answer (they are a clinician, and see the athlete as a coach)."""
    return dict(anon=anon, athlete=athlete, other_athlete=other_athlete, coach=coach, other_coach=other_coach,
                clinician=clinician, other_clinician=other_clinician, dual=clinician if dual is None else dual)


CLINICIAN_PAGE = expect()
CLINICIAN_OBJECT = expect(other_clinician=404)
# Pages that write clinical records: the dual role (another organisation's clinician who coaches the team) is a coach
# here, so it is refused (403) even though it sees the athlete.
CLINICIAN_OBJECT_NOT_DUAL = expect(other_clinician=404, dual=403)
CARE_TEAM_OBJECT = expect(coach=200, other_coach=404, other_clinician=404)
ATHLETE_PAGE = expect(athlete=200, other_athlete=200, clinician=403, other_clinician=403)
ATHLETE_OBJECT = expect(athlete=200, other_athlete=404, clinician=403, other_clinician=403)
ANY_LOGGED_IN = expect(athlete=200, other_athlete=200, coach=200, other_coach=200)
PUBLIC = {role: 200 for role in ROLES}
SETUP_OBJECT = expect(other_clinician=404, dual=404)
SETUP_WRITE = expect(clinician=302, other_clinician=404, dual=404)


@dataclass
class Case:
    expected: dict
    kwargs: object = None           # fn(objects) -> dict
    method: str = "get"
    data: object = None             # fn(objects) -> dict
    follow_ok: set = field(default_factory=set)
    writes: bool = True             # POST: an allowed request changes the database (False: it never does)


def post_redirect(other_clinician=404):
    """A clinician's POST action: done and redirected (302), out of scope 404, other roles 403; the dual role sees
    the object but the service refuses it (403)."""
    return expect(clinician=302, other_clinician=other_clinician, dual=403)


# Imports belong to the clinician's organisation: another organisation's clinician (and the dual role, a clinician
# of the other organisation) gets 404.
IMPORT_OBJECT = expect(other_clinician=404, dual=404)
IMPORT_POST = expect(clinician=302, other_clinician=404, dual=404)

CASES = {
    "home": Case(expect(athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302, other_clinician=302)),
    "healthz": Case(PUBLIC),
    "login": Case(expect(anon=200, athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302, other_clinician=302)),
    "logout": Case(expect(anon=302, athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302, other_clinician=302), method="post",
                   writes=False),
    "password_change": Case(ANY_LOGGED_IN),
    "password_change_done": Case(ANY_LOGGED_IN),
    "password_reset": Case(PUBLIC),
    "password_reset_done": Case(PUBLIC),
    "password_reset_confirm": Case(PUBLIC, kwargs=lambda o: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Case(PUBLIC),
    "notifications": Case(ANY_LOGGED_IN),
    "notifications_mark_read": Case(expect(athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302,
                                           other_clinician=302), method="post"),
    "clinic:roster": Case(CLINICIAN_PAGE),
    "clinic:athlete_create": Case(CLINICIAN_PAGE),
    "clinic:athlete": Case(CARE_TEAM_OBJECT, kwargs=lambda o: {"pk": o["athlete"].pk}),
    # The audit trail: the clinicians of the athlete's organisation only (the dual role coaches the athlete: 404).
    "clinic:athlete_audit": Case(SETUP_OBJECT, kwargs=lambda o: {"pk": o["athlete"].pk}),
    "clinic:injury_create": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"athlete_pk": o["athlete"].pk}),
    "clinic:assessment_create": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"injury_pk": o["injury"].pk}),
    "clinic:plan_start": Case(CLINICIAN_OBJECT, kwargs=lambda o: {"athlete_pk": o["athlete"].pk}),
    "clinic:plan_status": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["plan"].pk, "status": "paused"},
                                    data=lambda o: {"version": o["plan"].version}),
    "clinic:decision_sign_off": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["decision"].pk},
                                          data=lambda o: {"version": o["plan"].version}),
    "clinic:decision_reject": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["decision"].pk},
                                        data=lambda o: {"version": o["plan"].version, "reason": "not yet"}),
    "clinic:decision_override": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["decision"].pk},
                                          data=lambda o: {"version": o["plan"].version, "to_phase": 1, "reason": "judgement"}),
    "clinic:plan_settings": Case(CLINICIAN_OBJECT_NOT_DUAL, kwargs=lambda o: {"pk": o["plan"].pk}),
    "clinic:session_correct": Case(CLINICIAN_OBJECT_NOT_DUAL, kwargs=lambda o: {"pk": o["session"].pk}),
    "clinic:session_void": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["session"].pk},
                                     data=lambda o: {"reason": "entered for the wrong athlete"}),
    "clinic:report_correct": Case(CLINICIAN_OBJECT_NOT_DUAL, kwargs=lambda o: {"pk": o["report"].pk}),
    "clinic:report_void": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["report"].pk},
                                    data=lambda o: {"reason": "sent for the wrong session"}),
    "clinic:assessment_correct": Case(CLINICIAN_OBJECT_NOT_DUAL, kwargs=lambda o: {"pk": o["assessment"].pk}),
    "clinic:assessment_void": Case(post_redirect(), method="post", kwargs=lambda o: {"pk": o["assessment"].pk},
                                        data=lambda o: {"reason": "wrong athlete"}),
    "clinic:imports": Case(CLINICIAN_PAGE),
    "clinic:import_mappings": Case(CLINICIAN_PAGE),
    "clinic:import_detail": Case(IMPORT_OBJECT, kwargs=lambda o: {"pk": o["import_preview"].pk}),
    "clinic:import_progress": Case(IMPORT_OBJECT, kwargs=lambda o: {"pk": o["import_preview"].pk}),
    "clinic:import_confirm": Case(IMPORT_POST, method="post", kwargs=lambda o: {"pk": o["import_preview"].pk}),
    "clinic:import_undo": Case(IMPORT_POST, method="post", kwargs=lambda o: {"pk": o["import_done"].pk},
                               data=lambda o: {"reason": "the wrong athlete's export"}),
    "clinic:vmax_proposal_decide": Case(IMPORT_POST, method="post", kwargs=lambda o: {"pk": o["vmax_proposal"].pk},
                                        data=lambda o: {"decision": "accept"}),
    "clinic:protocols": Case(CLINICIAN_PAGE),
    "clinic:protocol_detail": Case(CLINICIAN_PAGE, kwargs=lambda o: {"pk": o["protocol"].pk}),
    "clinic:protocol_edit": Case(CLINICIAN_PAGE, kwargs=lambda o: {"pk": o["protocol"].pk}),
    "clinic:protocol_bench": Case(CLINICIAN_PAGE, kwargs=lambda o: {"pk": o["protocol"].pk}),
    # The clinic's set-up (issue 12 point 8): each clinician sets up their own organisation; another organisation's
    # team, athlete or member is 404 for its clinicians (and for the dual role, a coach here, not a clinician).
    "clinic:setup": Case(CLINICIAN_PAGE),
    "clinic:setup_team_create": Case(CLINICIAN_PAGE),
    "clinic:setup_coach_invite": Case(CLINICIAN_PAGE),
    "clinic:setup_team_rename": Case(SETUP_OBJECT, kwargs=lambda o: {"pk": o["world"].team.pk}),
    "clinic:setup_team_coaches": Case(SETUP_OBJECT, kwargs=lambda o: {"pk": o["world"].team.pk}),
    "clinic:setup_athlete_move": Case(SETUP_OBJECT, kwargs=lambda o: {"pk": o["athlete"].pk}),
    "clinic:setup_membership_deactivate": Case(SETUP_WRITE, method="post",
                                               kwargs=lambda o: {"pk": o["coach_membership"].pk}),
    "clinic:setup_membership_reactivate": Case(SETUP_WRITE, method="post",
                                               kwargs=lambda o: {"pk": o["former_membership"].pk}),
    "coach:week": Case(expect(coach=200, other_coach=200)),
    "coach:week_export": Case(expect(coach=200, other_coach=200), kwargs=lambda o: {"fmt": "csv"}),
    "coach:rate": Case(CARE_TEAM_OBJECT, kwargs=lambda o: {"pk": o["session"].pk}),
    "coach:measure": Case(CARE_TEAM_OBJECT, kwargs=lambda o: {"pk": o["session"].pk}),
    "coach:rating_void": Case(expect(coach=302, other_coach=404, clinician=302, other_clinician=404, dual=403),
                              method="post",
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
    "me:service_worker": Case(PUBLIC),
    "me:export": Case(ATHLETE_PAGE),
    "clinic:clearance_report": Case(CARE_TEAM_OBJECT, kwargs=lambda o: {"pk": o["report_decision"].pk}),
    "clinic:athlete_export": Case(CLINICIAN_OBJECT_NOT_DUAL, kwargs=lambda o: {"pk": o["athlete"].pk}),
    "clinic:athlete_anonymise": Case(CLINICIAN_OBJECT_NOT_DUAL, kwargs=lambda o: {"pk": o["athlete"].pk}),
    "api_token": Case(CLINICIAN_PAGE),
    "account": Case(ANY_LOGGED_IN),
    "logout_everywhere": Case(expect(athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302,
                                     other_clinician=302), method="post"),
    # The calendar feed needs no login: its secret is the credential (a revoked one is 404: tests/calendar).
    "calendar_feed": Case(PUBLIC, kwargs=lambda o: {"secret": o["feed"].secret}),
    # Anyone who sees the athlete may make a feed of them; out of scope is 404.
    "calendar_feed_new": Case(expect(athlete=302, other_athlete=404, coach=302, other_coach=404, clinician=302,
                                     other_clinician=404, dual=302), method="post",
                              data=lambda o: {"scope": "athlete", "athlete": o["athlete"].pk}),
    # The owner (the coach) or a clinician of the organisation revokes; anyone else does not find it.
    "calendar_feed_revoke": Case(expect(athlete=404, other_athlete=404, coach=302, other_coach=404, clinician=302,
                                        other_clinician=404, dual=404), method="post",
                                 kwargs=lambda o: {"pk": o["feed"].pk}),
}

def _today():
    """The world organisation's local day (its reports open at 04:00 local time: see the session below)."""
    from core import clock

    return clock.local_today("Europe/London")


def _numbers_form(o):
    from progression.engine_io import to_json_safe
    from progression.protocol_editing import editable_numbers

    data = {"mode": "numbers", "name": "Our copy", "base_version": 0}  # a first copy of the built-in protocol
    for row in editable_numbers(to_json_safe(o["protocol"].definition)):
        data[row["key"]] = row["value"]
    return data


def _upload(o):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("nordbord.csv", _vald_csv(_today() - datetime.timedelta(days=4), 301, 402), "text/csv")


def _vald_csv(day, left, right) -> bytes:
    return (f"Name,Date UTC,Time UTC,Device,Test,L Max Force (N),R Max Force (N)\n"
            f"Alex Runner,{day:%d/%m/%Y},09:00:00,NordBord,Nordic,{left},{right}\n").encode()


# The POST side of the form pages (valid data: what succeeds for whoever may do it). Keyed by URL name; each is
# checked for every role with the before/after snapshot.
CLINICIAN_WRITE = expect(clinician=302, other_clinician=404, dual=403)
ALL_POST = dict(anon=302, athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302,
                other_clinician=302, dual=302)
POST_CASES = {
    "clinic:athlete_anonymise": Case(CLINICIAN_WRITE, method="post", kwargs=lambda o: {"pk": o["athlete"].pk},
                                     data=lambda o: {"confirm": "on"}),
    "clinic:athlete_create": Case(expect(clinician=302, other_clinician=302), method="post",
                            data=lambda o: {"first_name": "New", "last_name": "Athlete"}),
    "clinic:injury_create": Case(post_redirect(), method="post", kwargs=lambda o: {"athlete_pk": o["athlete"].pk},
                                   data=lambda o: {"side": "right", "muscle": "bflh", "bamic_grade": 1, "bamic_site": "a",
                                                   "mechanism": "sprint", "date_of_injury": str(_today())}),
    "clinic:assessment_create": Case(post_redirect(), method="post", kwargs=lambda o: {"injury_pk": o["injury"].pk},
                                       data=lambda o: {"assessed_on": str(_today()), "pain_palpation": 1}),
    "clinic:plan_start": Case(post_redirect(), method="post", kwargs=lambda o: {"athlete_pk": o["athlete"].pk},
                                   data=lambda o: {"injury": o["spare_injury"].pk, "protocol": o["protocol"].pk,
                                                   "start_phase": 0, "advance_requires_signoff": "on"}),
    "clinic:protocol_edit": Case(expect(clinician=302, other_clinician=302), method="post",
                                      kwargs=lambda o: {"pk": o["protocol"].pk}, data=_numbers_form),
    "clinic:imports": Case(expect(clinician=302, other_clinician=302), method="post", data=lambda o: {
        "file": _upload(o), "source": "auto", "unit": "auto", "date_order": "dmy"}),
    "clinic:import_mappings": Case(expect(clinician=302, other_clinician=302), method="post", data=lambda o: {
        "name": "Clinic dynamometer", "kind": "strength", "date": "Tested on", "name_column": "Athlete",
        "l_force": "Left (N)", "r_force": "Right (N)", "method": "iso_90_90"}),
    "clinic:protocol_bench": Case(expect(), method="post", kwargs=lambda o: {"pk": o["protocol"].pk},
                                       data=lambda o: {"text": '{"scenarios": []}'}, writes=False),
    "plan_notes": Case(expect(athlete=302, other_athlete=404, coach=302, other_coach=404, clinician=302,
                              other_clinician=404, dual=302),
                       method="post", kwargs=lambda o: {"pk": o["plan"].pk}, data=lambda o: {"body": "Ice after."}),
    "coach:rate": Case(expect(coach=302, other_coach=404, clinician=302, other_clinician=404, dual=302), method="post",
                       kwargs=lambda o: {"pk": o["session"].pk}, data=lambda o: {"items_correct": ["tall_posture"], "notes": "ok"}),
    "me:log": Case(expect(athlete=302, other_athlete=302, clinician=403, other_clinician=403), method="post",
                   data=lambda o: {"client_id": str(uuid.uuid4()), "pain_during": 1, "rpe": 4, "minutes": 30}),
    "me:report": Case(expect(athlete=302, other_athlete=404, clinician=403, other_clinician=403), method="post",
                      kwargs=lambda o: {"pk": o["session"].pk},
                      data=lambda o: {"client_id": str(uuid.uuid4()), "soreness_24h": 1}),
    "password_change": Case(expect(athlete=302, other_athlete=302, coach=302, other_coach=302, clinician=302,
                                   other_clinician=302), method="post",
                            data=lambda o: {"old_password": "pw", "new_password1": "a-Long-new-pass-42",
                                            "new_password2": "a-Long-new-pass-42"}),
    "api_token": Case(expect(), method="post", data=lambda o: {"action": "create"}),
    "clinic:plan_settings": Case(CLINICIAN_WRITE, method="post", kwargs=lambda o: {"pk": o["plan"].pk},
                                      data=lambda o: {"version": o["plan"].version, "vmax_mps": "9.50",
                                                      "baseline_weekly_load": "2000", "training_days": [1, 3, 5]}),
    "clinic:session_correct": Case(CLINICIAN_WRITE, method="post", kwargs=lambda o: {"pk": o["session"].pk},
                                        data=lambda o: {"date": str(o["session"].date), "pain_during": 2, "rpe": 5,
                                                        "minutes": 30, "reason": "typed 1 for 2"}),
    "clinic:report_correct": Case(CLINICIAN_WRITE, method="post", kwargs=lambda o: {"pk": o["report"].pk},
                                       data=lambda o: {"soreness_24h": 2, "reason": "typed 1 for 2"}),
    "clinic:assessment_correct": Case(CLINICIAN_WRITE, method="post", kwargs=lambda o: {"pk": o["assessment"].pk},
                                           data=lambda o: {"assessed_on": str(o["assessment"].assessed_on),
                                                           "pain_palpation": 3, "reason": "typed 1 for 3"}),
    "clinic:setup_team_create": Case(expect(clinician=302, other_clinician=302), method="post",
                                     data=lambda o: {"name": "Under-21s"}),
    "clinic:setup_coach_invite": Case(expect(clinician=302, other_clinician=302), method="post",
                                      data=lambda o: {"email": "new.coach@example.org", "first_name": "New"}),
    "clinic:setup_team_rename": Case(SETUP_WRITE, method="post", kwargs=lambda o: {"pk": o["world"].team.pk},
                                     data=lambda o: {"name": "First team"}),
    "clinic:setup_team_coaches": Case(SETUP_WRITE, method="post", kwargs=lambda o: {"pk": o["world"].team.pk},
                                      data=lambda o: {"coaches": [o["world"].coach.pk, o["world"].other_coach.pk]}),
    "clinic:setup_athlete_move": Case(SETUP_WRITE, method="post", kwargs=lambda o: {"pk": o["athlete"].pk},
                                      data=lambda o: {"team": o["world"].other_team.pk}),
    "coach:measure": Case(expect(coach=302, other_coach=404, clinician=302, other_clinician=404, dual=302),
                          method="post", kwargs=lambda o: {"pk": o["session"].pk},
                          data=lambda o: {"peak_speed": "88", "peak_speed_unit": "pct", "efforts_95": 1}),
    "me:edit_session": Case(expect(athlete=302, other_athlete=404, clinician=403, other_clinician=403), method="post",
                            kwargs=lambda o: {"pk": o["session"].pk},
                            data=lambda o: {"pain_during": 2, "rpe": 5, "minutes": 30}),
}

SKIPPED_NAMESPACES = {"admin", "api", "fhir"}  # admin: see test_admin_is_staff_only; api: tests/api/test_api_permission_matrix.py;
# fhir: tests/api/test_fhir_permission_matrix.py


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
    return make_objects(world)


def make_objects(world) -> dict:
    """One object of every kind the pages address, around `world.athlete`, and the dual role's user."""
    from athletes.models import Membership
    from core.notifications import notify
    from tests.factories import InjuryFactory, UserFactory

    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = Plan.objects.create(injury=world.injury, protocol=protocol, clinician=world.clinician)
    # Imports first, while the plan has no session: the import's evaluation records no decision, so the pending
    # advance below stays the plan's latest.
    from imports import services as import_services
    from imports.models import VmaxProposal

    def vald(left, right):
        return import_services.import_preview(actor=world.clinician, organisation=world.org, file_name="nordbord.csv",
                                              data=_vald_csv(_today() - datetime.timedelta(days=1), left, right))

    import_done, import_preview = vald(300, 400), vald(310, 400)
    import_services.import_confirm(actor=world.clinician, batch=import_done)
    vmax_proposal = VmaxProposal.objects.create(organisation=world.org, athlete=world.athlete, batch=import_done,
                                                measured_on=_today(), speed_mps="9.80", recorded_vmax_mps="9.50")
    dual = UserFactory(username="dual")
    Membership.objects.create(user=dual, organisation=world.other_org, role="clinician")
    Membership.objects.create(user=dual, organisation=world.org, role="coach")
    world.team.coaches.add(dual)
    spare_injury = InjuryFactory(athlete=world.athlete, side="right",
                                 date_of_injury=datetime.date.today() - datetime.timedelta(days=200))
    for user in (world.athlete_user, world.other_athlete_user, world.coach, world.other_coach, world.clinician,
                 world.other_clinician, dual):
        notify(recipient=user, kind="info", title="Unread")  # so that "mark all read" changes something
    # A session of two days ago (its next-morning report is open whatever the hour), logged today (the athlete may
    # still correct it).
    session = SessionLog.objects.create(athlete=world.athlete, plan=plan, pain_during=1, rpe=5, minutes=30,
                                        logged_by=world.athlete_user, date=_today() - datetime.timedelta(days=2),
                                        recorded_on=_today())
    reported = SessionLog.objects.create(athlete=world.athlete, plan=plan, pain_during=1, rpe=5, minutes=30,
                                         logged_by=world.athlete_user, date=_today() - datetime.timedelta(days=3),
                                         recorded_on=_today())
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

    report = SymptomReport.objects.create(session_log=reported, soreness_24h=1)
    assessment = Assessment.objects.create(injury=world.injury, clinician=world.clinician, pain_palpation=1,
                                           plan=plan)
    coach_membership = Membership.objects.get(user=world.coach, organisation=world.org)
    # A coach whose membership was switched off: the set-up page's "Reactivate" has something to do.
    former_membership = Membership.objects.create(user=UserFactory(username="former"), organisation=world.org,
                                                  role="coach", is_active=False)
    # A signed-off clearance with its stored report (the PDF's bytes do not matter here).
    from progression.models import ClearanceReport

    # On a plan of its own (an earlier injury, discharged): the plan above keeps its one decision, the newest.
    old_plan = Plan.objects.create(injury=InjuryFactory(athlete=world.athlete, side="left", date_of_injury=_today()
                                                        - datetime.timedelta(days=400)),
                                   protocol=protocol, clinician=world.clinician, status="completed",
                                   completed_on=_today() - datetime.timedelta(days=300))
    report_decision = Decision.objects.create(
        plan=old_plan, trigger="session_log", protocol_slug=protocol.slug, protocol_version=1, decided_on=_today(),
        inputs={}, reasons=[], decided_by_rule="exit", outcome="advance", from_phase=5, to_phase=6,
        status="signed_off", reviewed_by=world.clinician,
    )
    clearance = ClearanceReport(decision=report_decision, kind="clearance")
    clearance.file.save("matrix.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
    clearance.save()
    from progression.models import CalendarFeed

    feed = CalendarFeed.objects.create(owner=world.coach, scope="athlete", athlete=world.athlete)
    return {"world": world, "feed": feed, "athlete": world.athlete, "injury": world.injury, "plan": plan, "session": session,
            "report_decision": report_decision,
            "decision": decision, "protocol": protocol, "rating": rating, "report": report, "assessment": assessment,
            "dual": dual, "spare_injury": spare_injury, "coach_membership": coach_membership,
            "former_membership": former_membership,
            "import_done": import_done, "import_preview": import_preview,
            "vmax_proposal": vmax_proposal}


ROWS = {**{(name, "get" if CASES[name].method == "get" else "post"): CASES[name] for name in CASES},
        **{(name, "post"): case for name, case in POST_CASES.items()}}

#: (route, role) pairs whose request was checked with the before/after snapshot (the figures in the report).
SNAPSHOT_CHECKS = []


def check_row(name, method, role, objects, client_for):
    """Send one matrix row's request as `role`; assert its status and, for a POST, what it did to the database."""
    from django.urls import reverse

    from tests.db_snapshot import changed_tables, snapshot

    case = ROWS[(name, method)]
    url = reverse(name, kwargs=case.kwargs(objects) if case.kwargs else None)
    user = objects["dual"] if role == "dual" else getattr(objects["world"], ROLE_USER[role]) if ROLE_USER[role] else None
    client = client_for(user)
    data = case.data(objects) if case.data else {}
    expected = case.expected[role]
    before = snapshot() if method == "post" else None
    response = getattr(client, method)(url, data)
    assert response.status_code == expected, (
        f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected}")
    refused = expected in (400, 401, 403, 404) or (role == "anon" and name not in ("logout", "home"))
    if response.status_code == 302 and role == "anon" and name not in ("logout", "home"):
        assert "/accounts/login/" in response["Location"]
    if method != "post":
        return
    changed = changed_tables(before, snapshot())
    SNAPSHOT_CHECKS.append((name, role))
    if refused or not case.writes:
        assert not changed, f"POST {url} as {role} was {'refused' if refused else 'a read'} but changed {changed}"
    else:
        assert changed, f"POST {url} as {role} answered {response.status_code} but changed nothing in the database"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, method", sorted(ROWS), ids=lambda v: v if isinstance(v, str) else None)
def test_permission_matrix(name, method, role, objects, client_for):
    check_row(name, method, role, objects, client_for)


@pytest.mark.django_db
def test_admin_is_staff_only(world, client_for):
    assert client_for(world.clinician).get("/admin/").status_code == 302
    assert client_for(world.staff).get("/admin/").status_code == 200


# --- the matrix can fail -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_matrix_fails_if_sign_off_skips_its_permission_check(objects, client_for, monkeypatch):
    """Finding 10: a sign-off that forgot its permission check must fail the matrix (the dual role's row)."""
    from progression import services

    original = services.decision_sign_off

    def without_permission_check(**kwargs):
        with monkeypatch.context() as m:
            # the sign-off's clinician check, where decision_sign_off looks it up
            m.setattr("progression.services.decisions._require_clinician", lambda *args, **kw: None)
            return original(**kwargs)

    monkeypatch.setattr(services, "decision_sign_off", without_permission_check)
    with pytest.raises(AssertionError, match="as dual: 302, expected 403"):
        check_row("clinic:decision_sign_off", "post", "dual", objects, client_for)


@pytest.mark.django_db
def test_the_matrix_fails_if_sign_off_always_refuses(objects, client_for, monkeypatch):
    """Finding 10 as filed: a sign-off that always refuses still redirects (302); the snapshot catches it."""
    from core.exceptions import Conflict
    from progression import services

    def always_refuse(**kwargs):
        raise Conflict("no")

    monkeypatch.setattr(services, "decision_sign_off", always_refuse)
    with pytest.raises(AssertionError, match="changed nothing"):
        check_row("clinic:decision_sign_off", "post", "clinician", objects, client_for)


@pytest.mark.django_db
def test_the_matrix_fails_if_a_refused_post_writes(objects, client_for, monkeypatch):
    """A view that writes before it refuses (here: an audit row, then 403) fails the before/after check."""
    from django.core.exceptions import PermissionDenied

    from core.audit import audit_record
    from progression import services

    def write_then_refuse(*, actor, decision, **kwargs):
        audit_record(actor=actor, action="oops", target=decision)
        raise PermissionDenied("no")

    monkeypatch.setattr(services, "decision_reject", write_then_refuse)
    with pytest.raises(AssertionError, match="was refused but changed"):
        check_row("clinic:decision_reject", "post", "dual", objects, client_for)
