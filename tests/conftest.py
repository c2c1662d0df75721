"""Shared fixtures: a world with two organisations and every role, and helpers for required services."""
import os
from dataclasses import dataclass

import pytest

from athletes.models import Role
from tests.factories import (
    AthleteFactory,
    InjuryFactory,
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing on a developer's machine; fail in CI (REQUIRE_SERVICES=1)."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@dataclass
class World:
    org: object
    other_org: object
    clinician: object
    other_clinician: object
    coach: object
    other_coach: object
    team: object
    other_team: object
    athlete: object            # Athlete row (in `team`, with a login)
    athlete_user: object
    other_athlete: object      # another athlete of the same org, in `other_team`
    other_athlete_user: object
    foreign_athlete: object    # an athlete of the other organisation
    injury: object
    staff: object


def ensure_default_protocol():
    """The default protocol comes from a data migration; transactional tests flush it, so put it back."""
    from progression import engine
    from progression.models import Protocol
    from progression.services import protocol_create

    data = engine.default_protocol_data()
    if not Protocol.objects.filter(slug=data["slug"], version=data["version"]).exists():
        protocol_create(actor=None, definition=data)


@pytest.fixture
def world(db) -> World:
    ensure_default_protocol()
    org = OrganisationFactory(name="Northside", slug="northside")
    other_org = OrganisationFactory(name="Southside", slug="southside")
    clinician = MembershipFactory(organisation=org, role=Role.CLINICIAN, user=UserFactory(username="clin")).user
    other_clinician = MembershipFactory(organisation=other_org, role=Role.CLINICIAN, user=UserFactory(username="clin2")).user
    coach = MembershipFactory(organisation=org, role=Role.COACH, user=UserFactory(username="coach")).user
    other_coach = MembershipFactory(organisation=org, role=Role.COACH, user=UserFactory(username="coach2")).user
    team = TeamFactory(organisation=org, name="Firsts")
    team.coaches.add(coach)
    other_team = TeamFactory(organisation=org, name="Academy")
    other_team.coaches.add(other_coach)
    athlete_user = MembershipFactory(organisation=org, role=Role.ATHLETE, user=UserFactory(username="ath")).user
    other_athlete_user = MembershipFactory(organisation=org, role=Role.ATHLETE, user=UserFactory(username="ath2")).user
    athlete = AthleteFactory(organisation=org, team=team, user=athlete_user, first_name="Alex", last_name="Runner")
    other_athlete = AthleteFactory(organisation=org, team=other_team, user=other_athlete_user, first_name="Sam", last_name="Other")
    foreign_team = TeamFactory(organisation=other_org, name="Seniors")
    foreign_athlete = AthleteFactory(organisation=other_org, team=foreign_team, first_name="Far", last_name="Away")
    injury = InjuryFactory(athlete=athlete)
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    return World(org, other_org, clinician, other_clinician, coach, other_coach, team, other_team, athlete, athlete_user,
                 other_athlete, other_athlete_user, foreign_athlete, injury, staff)


@pytest.fixture
def client_for(client):
    """Log a user in on a fresh test client: client_for(user) -> Client."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture(autouse=True)
def _real_clock_after_each_test():
    """A test that moves core.clock must not leak its time into the next test."""
    from core import clock

    yield
    clock.resume()


def next_morning(organisation, hour: int = 8):
    """08:00 tomorrow in the organisation's time zone: when a next-morning report for today's session is accepted."""
    import datetime

    from core import clock

    tomorrow = clock.local_today(organisation.tz) + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(hour), tzinfo=organisation.tz)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Login lockouts and throttle counts live in the cache (a memory cache in tests): none leaks between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def clean_p0_evidence(world, plan):
    """Two clean, reported P0 sessions in the plan's current stint (made directly: test set-up), so that a pending
    P0 -> P1 advance is what the engine would still decide when a sign-off re-checks it."""
    import datetime
    import uuid
    from decimal import Decimal

    from core import clock
    from sessions.models import SessionLog, SymptomReport

    today = clock.local_today(world.athlete.organisation.tz)
    for days_ago in (3, 1):
        log = SessionLog.objects.create(athlete=world.athlete, plan=plan, phase=plan.current_phase, pain_during=0,
                                        rpe=Decimal(5), minutes=30, date=today - datetime.timedelta(days=days_ago),
                                        client_id=uuid.uuid4())
        SymptomReport.objects.create(session_log=log, soreness_24h=0, client_id=uuid.uuid4())
