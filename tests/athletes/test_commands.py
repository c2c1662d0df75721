"""The commands README.md tells a newcomer and an operator to run."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from athletes.models import Athlete, Membership, Organisation
from progression.models import Decision, Plan

pytestmark = pytest.mark.django_db


def test_load_demo_builds_the_demo_course_once():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "clinician" in out.getvalue() and "sprint-demo" in out.getvalue()
    org = Organisation.objects.get(slug="demo-clinic")
    # The two phones of the demo course, and the 25 athletes of the Academy Squad (the coach's grid at team scale).
    assert Athlete.objects.filter(organisation=org).exclude(team__name="Academy Squad").count() == 2
    assert Athlete.objects.filter(organisation=org, team__name="Academy Squad").count() == 25
    plan = Plan.objects.get(injury__athlete__organisation=org, injury__athlete__last_name="Okafor")
    assert plan.current_phase >= 1, "the demo plan has progressed through the engine"
    assert Decision.objects.filter(plan=plan, status="signed_off").exists()
    decisions = Decision.objects.count()
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Decision.objects.count() == decisions


def test_create_clinician_makes_the_organisation_and_the_login():
    call_command("create_clinician", "--organisation", "Harbour Physio", "--username", "dana", "--password",
                 "long-enough-pw", stdout=StringIO())
    membership = Membership.objects.get(user__username="dana")
    assert membership.role == "clinician" and membership.organisation.name == "Harbour Physio"
    assert membership.user.check_password("long-enough-pw")
    with pytest.raises(CommandError, match="taken"):
        call_command("create_clinician", "--organisation", "Harbour Physio", "--username", "dana",
                     "--password", "long-enough-pw", stdout=StringIO())
