"""The clinic's set-up pages (issue 12 point 8): clear errors, nothing changed on a refusal, the navigation."""
import pytest

from athletes.models import Athlete, Membership, Team
from core.models import AuditEvent
from tests.db_snapshot import changed_tables, snapshot

pytestmark = pytest.mark.django_db


def test_the_set_up_page_is_in_the_clinic_navigation_and_lists_the_organisation(world, client_for):
    page = client_for(world.clinician).get("/clinic/").content.decode()
    assert 'href="/clinic/setup/"' in page
    html = client_for(world.clinician).get("/clinic/setup/").content.decode()
    assert "Set-up: Northside" in html
    for text in ("Firsts", "Academy", "Alex Runner", "Sam Other", "coach2"):
        assert text in html
    assert "Southside" not in html and "Far Away" not in html and "Seniors" not in html
    assert 'href="/clinic/setup/"' not in client_for(world.coach).get("/coach/").content.decode()


def test_the_set_up_page_reads_in_constant_queries(world, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AthleteFactory, MembershipFactory, TeamFactory, UserFactory

    client = client_for(world.clinician)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/clinic/setup/").status_code == 200
        return len(ctx)

    small = count()
    for n in range(15):
        team = TeamFactory(organisation=world.org, name=f"Team {n}")
        coach = MembershipFactory(organisation=world.org, role="coach", user=UserFactory(username=f"c{n}")).user
        team.coaches.add(coach)
        AthleteFactory(organisation=world.org, team=team, first_name="A", last_name=f"N{n}")
    assert count() == small


def test_a_duplicate_team_name_is_shown_next_to_the_field_and_changes_nothing(world, client_for):
    client = client_for(world.clinician)
    before = snapshot()
    response = client.post("/clinic/setup/teams/new/", {"name": "firsts"})
    assert response.status_code == 200
    assert "Northside already has a team called “firsts”. Choose another name." in response.content.decode()
    assert not changed_tables(before, snapshot())


def test_renaming_to_a_taken_name_is_refused(world, client_for):
    response = client_for(world.clinician).post(f"/clinic/setup/teams/{world.team.pk}/rename/", {"name": "Academy"})
    assert "already has a team called “Academy”" in response.content.decode()
    assert Team.objects.get(pk=world.team.pk).name == "Firsts"


def test_inviting_an_email_already_a_member_is_refused_in_plain_words(world, client_for, mailoutbox):
    world.coach.email = "coach@example.org"
    world.coach.save()
    client = client_for(world.clinician)
    before = snapshot()
    response = client.post("/clinic/setup/coaches/invite/", {"email": "Coach@example.org"})
    assert response.status_code == 200
    assert "This email is already a member of Northside." in response.content.decode()
    assert not changed_tables(before, snapshot()) and not mailoutbox


def test_an_invalid_email_is_refused_in_plain_words(world, client_for):
    response = client_for(world.clinician).post("/clinic/setup/coaches/invite/", {"email": "kim at home"})
    assert "Enter an email address such as coach@example.org." in response.content.decode()


def test_moving_an_athlete_to_another_organisations_team_is_refused(world, client_for):
    client = client_for(world.clinician)
    before = snapshot()
    response = client.post(f"/clinic/setup/athletes/{world.athlete.pk}/team/",
                                                {"team": world.foreign_athlete.team_id})
    assert response.status_code == 200
    assert "an athlete cannot move to a team of another organisation" in response.content.decode()
    assert not changed_tables(before, snapshot())
    assert Athlete.objects.get(pk=world.athlete.pk).team == world.team


def test_assigning_a_coach_of_another_organisation_is_refused(world, client_for):
    from tests.factories import MembershipFactory, UserFactory

    foreign = MembershipFactory(organisation=world.other_org, role="coach", user=UserFactory(username="far")).user
    client = client_for(world.clinician)
    before = snapshot()
    response = client.post(f"/clinic/setup/teams/{world.team.pk}/coaches/",
                                                {"coaches": [foreign.pk]})
    assert "Choose coaches of your organisation" in response.content.decode()
    assert not changed_tables(before, snapshot())


@pytest.mark.parametrize("bad", ["x", "-1", "99999999999999999999", "1 OR 1=1"])
def test_hostile_ids_are_a_clear_error_never_a_500(world, client_for, bad):
    client = client_for(world.clinician)
    assert client.post(f"/clinic/setup/athletes/{world.athlete.pk}/team/", {"team": bad}).status_code == 200
    assert client.post(f"/clinic/setup/teams/{world.team.pk}/coaches/", {"coaches": [bad]}).status_code == 200


def test_a_deactivated_coach_is_refused_the_coach_pages_and_the_athlete(world, client_for):
    coach_client = client_for(world.coach)
    assert coach_client.get(f"/clinic/athletes/{world.athlete.pk}/").status_code == 200
    membership = Membership.objects.get(user=world.coach, organisation=world.org)
    response = client_for(world.clinician).post(f"/clinic/setup/members/{membership.pk}/deactivate/")
    assert response.status_code == 302
    assert not Membership.objects.get(pk=membership.pk).is_active
    assert coach_client.get("/coach/").status_code == 403
    assert coach_client.get(f"/clinic/athletes/{world.athlete.pk}/").status_code == 403
    assert AuditEvent.objects.filter(action="membership.deactivate", actor=world.clinician).count() == 1
    client_for(world.clinician).post(f"/clinic/setup/members/{membership.pk}/reactivate/")
    assert coach_client.get("/coach/").status_code == 200


def test_a_deactivated_clinicians_api_token_reads_nothing_of_the_organisation(world, client_for):
    from rest_framework.test import APIClient

    from core.tokens import api_token_create
    from tests.factories import MembershipFactory, UserFactory

    _, key = api_token_create(actor=world.clinician)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/athletes/{world.athlete.pk}/"
    assert api.get(url).status_code == 200
    second = MembershipFactory(organisation=world.org, role="clinician", user=UserFactory(username="clin3")).user
    membership = Membership.objects.get(user=world.clinician, organisation=world.org)
    client_for(second).post(f"/clinic/setup/members/{membership.pk}/deactivate/")
    assert api.get(url).status_code in (403, 404)


def test_a_clinician_cannot_deactivate_themselves_from_the_page(world, client_for):
    membership = Membership.objects.get(user=world.clinician, organisation=world.org)
    response = client_for(world.clinician).post(f"/clinic/setup/members/{membership.pk}/deactivate/", follow=True)
    assert "You cannot deactivate your own membership" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).is_active


def test_a_deactivated_coach_is_marked_on_the_teams_list(world, client_for):
    membership = Membership.objects.get(user=world.coach, organisation=world.org)
    client = client_for(world.clinician)
    client.post(f"/clinic/setup/members/{membership.pk}/deactivate/")
    html = client.get("/clinic/setup/").content.decode()
    row = html.split(f'id="team-{world.team.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'coach <span class="pill bad">deactivated</span>' in row
