"""Fixtures for the API tests: clients per role (session or token) and one object of every kind."""
import datetime
import uuid
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from progression import services as plan_services
from progression.models import Decision, Protocol
from sessions.models import Assessment, SessionLog, SymptomReport
from tests.factories import InjuryFactory

ROLES = ["anon", "athlete", "other_athlete", "coach", "other_coach", "clinician", "other_clinician"]
ROLE_USER = {
    "anon": None, "athlete": "athlete_user", "other_athlete": "other_athlete_user", "coach": "coach",
    "other_coach": "other_coach", "clinician": "clinician", "other_clinician": "other_clinician",
}


@pytest.fixture
def api_for():
    """api_for(user) -> an APIClient logged in with a session (None: anonymous). JSON by default."""

    def make(user=None, token=None):
        client = APIClient()
        client.default_format = "json"
        if token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        elif user is not None:
            client.force_login(user)
        return client

    return make


def user_for(world, role):
    return getattr(world, ROLE_USER[role]) if ROLE_USER[role] else None


@dataclass
class Objects:
    world: object
    protocol: object
    plan: object
    session: object          # has a next-morning report
    open_session: object     # no report yet (an earlier stint's)
    report: object
    assessment: object
    decision: object
    spare_injury: object     # an injury of the athlete with no plan
    earlier_session: object = None  # reported, before `session`: the stint's first


@pytest.fixture
def objects(world) -> Objects:
    """One row of every kind around `world.athlete`. Rows the API only reads are made directly (test set-up)."""
    return make_objects(world)


def make_objects(world) -> Objects:
    protocol = Protocol.objects.get(slug="hamstring-rts", version=1)
    plan = plan_services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol,
                                    start_date=datetime.date.today() - datetime.timedelta(days=5))
    session = SessionLog.objects.create(athlete=world.athlete, plan=plan, phase=0, pain_during=1, rpe=5, minutes=30,
                                        date=datetime.date.today() - datetime.timedelta(days=2))
    report = SymptomReport.objects.create(session_log=session, soreness_24h=1)
    earlier = SessionLog.objects.create(athlete=world.athlete, plan=plan, phase=0, pain_during=0, rpe=4, minutes=25,
                                        date=datetime.date.today() - datetime.timedelta(days=4))
    SymptomReport.objects.create(session_log=earlier, soreness_24h=0)
    # The unreported session belongs to an earlier stint, so the current one ([earlier, session], both reported
    # and clean) backs the pending advance below, and a sign-off's re-check agrees with it.
    open_session = SessionLog.objects.create(athlete=world.athlete, plan=plan, phase=0, pain_during=0, rpe=4, minutes=25,
                                             date=datetime.date.today() - datetime.timedelta(days=2), stint=0)  # its report is open at any hour
    assessment = Assessment.objects.create(injury=world.injury, clinician=world.clinician, pain_palpation=2,
                                           assessed_on=datetime.date.today() - datetime.timedelta(days=3))
    decision = Decision.objects.create(
        plan=plan, trigger="symptom_report", session_log=session, symptom_report=report, protocol_slug=protocol.slug,
        protocol_version=protocol.version, decided_on=datetime.date.today(), inputs={"history": []},
        reasons=[{"kind": "rule", "number": 1, "status": "clear", "message": "No red flag."}],
        recommendations=[], warnings=[], decided_by_rule="rule.exit_criteria", outcome="advance", from_phase=0,
        to_phase=1, status="awaiting_signoff",
    )
    spare_injury = InjuryFactory(athlete=world.athlete, side="right",
                                 date_of_injury=datetime.date.today() - datetime.timedelta(days=400))
    return Objects(world, protocol, plan, session, open_session, report, assessment, decision, spare_injury, earlier)


def new_client_id() -> str:
    return str(uuid.uuid4())
