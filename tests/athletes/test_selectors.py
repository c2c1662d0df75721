"""Every read is scoped: an athlete sees themselves, a coach their teams, a clinician their organisation."""
import pytest

from athletes import selectors
from core.exceptions import NotFound
from progression.evidence import session_log_enter
from sessions.selectors import session_log_list

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(a.first_name for a in qs)


def test_clinician_sees_the_organisation(world):
    assert names(selectors.athlete_list(user=world.clinician)) == ["Alex", "Sam"]


def test_clinician_of_another_organisation_sees_only_theirs(world):
    assert names(selectors.athlete_list(user=world.other_clinician)) == ["Far"]
    with pytest.raises(NotFound):
        selectors.athlete_get(user=world.other_clinician, pk=world.athlete.pk)


def test_coach_sees_their_teams_only(world):
    assert names(selectors.athlete_list(user=world.coach)) == ["Alex"]
    assert names(selectors.athlete_list(user=world.other_coach)) == ["Sam"]
    with pytest.raises(NotFound):
        selectors.athlete_get(user=world.coach, pk=world.other_athlete.pk)


def test_athlete_sees_only_themselves(world):
    assert names(selectors.athlete_list(user=world.athlete_user)) == ["Alex"]
    assert names(selectors.athlete_list(user=world.other_athlete_user)) == ["Sam"]


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.athlete_list(user=AnonymousUser()).exists()


def test_staff_see_all(world):
    assert names(selectors.athlete_list(user=world.staff)) == ["Alex", "Far", "Sam"]


def test_injuries_follow_the_athlete_scope(world):
    assert selectors.injury_list(user=world.coach).count() == 1
    assert selectors.injury_list(user=world.other_coach).count() == 0
    assert selectors.injury_list(user=world.other_clinician).count() == 0
    with pytest.raises(NotFound):
        selectors.injury_get(user=world.other_athlete_user, pk=world.injury.pk)


def test_session_logs_follow_the_athlete_scope(world):
    session_log_enter(actor=world.athlete_user, athlete=world.athlete, pain_during=1, rpe=4, minutes=30)
    assert session_log_list(user=world.athlete_user).count() == 1
    assert session_log_list(user=world.coach).count() == 1
    assert session_log_list(user=world.clinician).count() == 1
    assert session_log_list(user=world.other_athlete_user).count() == 0
    assert session_log_list(user=world.other_coach).count() == 0
    assert session_log_list(user=world.other_clinician).count() == 0


def test_teams_scope(world):
    assert sorted(t.name for t in selectors.team_list(user=world.clinician)) == ["Academy", "Firsts"]
    assert [t.name for t in selectors.team_list(user=world.coach)] == ["Firsts"]
    assert not selectors.team_list(user=world.athlete_user).exists()
