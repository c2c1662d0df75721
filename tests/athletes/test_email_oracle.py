"""Adding an athlete with an email that has a login in another organisation answers exactly as for a new email,
and never links this organisation's athlete to the other organisation's login (issue 10, finding 9)."""
import pytest
from django.contrib.auth import get_user_model

from athletes.models import Athlete

pytestmark = pytest.mark.django_db


def _add(client, email, first="Mia"):
    return client.post("/clinic/athletes/new/", {"first_name": first, "last_name": "Fast", "login_email": email})


def _answer(response, client):
    """What the clinician sees: status, where it goes, the message on the next page, minus the ids."""
    assert response.status_code == 302, response.content.decode()[-2000:]
    page = client.get(response["Location"])
    messages = [str(m) for m in page.context["messages"]]
    return response["Location"].split("/athletes/")[0], messages


def test_an_email_known_elsewhere_gets_the_same_answer_as_a_new_one(world, client_for, mailoutbox,
                                                                    django_capture_on_commit_callbacks):
    User = get_user_model()
    elsewhere = User.objects.create_user(username="pat@example.org", email="pat@example.org", password="x")
    from athletes.services import membership_create

    membership_create(actor=None, user=elsewhere, organisation=world.other_org, role="athlete")
    client = client_for(world.clinician)
    with django_capture_on_commit_callbacks(execute=True):
        known = _answer(_add(client, "Pat@Example.org", "Pat"), client)
        new = _answer(_add(client, "nobody-yet@example.org", "Pat"), client)
    assert known == new
    pat = Athlete.objects.get(organisation=world.org, first_name="Pat", user__email="pat@example.org")
    assert pat.user != elsewhere, "never linked to the other organisation's login"
    assert list(pat.user.memberships.values_list("organisation_id", flat=True)) == [world.org.pk]
    assert not elsewhere.memberships.filter(organisation=world.org).exists()
    assert sorted(m.to[0] for m in mailoutbox) == ["nobody-yet@example.org", "pat@example.org"], "both invited"
    detail = client.get(f"/clinic/athletes/{pat.pk}/").content.decode()
    assert "pat@example.org" in detail and world.org.slug + "." not in detail, "the page shows the email, not the login name"


def test_the_api_output_is_the_same_too(world, client_for):
    from athletes.api.serializers import AthleteOutput

    User = get_user_model()
    elsewhere = User.objects.create_user(username="sam@example.org", email="sam@example.org", password="x")
    from athletes.services import athlete_create, membership_create

    membership_create(actor=None, user=elsewhere, organisation=world.other_org, role="coach")
    known = athlete_create(actor=world.clinician, organisation=world.org, first_name="S", last_name="K",
                           login_email="sam@example.org")
    new = athlete_create(actor=world.clinician, organisation=world.org, first_name="S", last_name="K",
                         login_email="fresh@example.org")
    strip = {"id", "created_at", "updated_at"}
    assert ({k: v for k, v in AthleteOutput(known).data.items() if k not in strip}
            == {k: v for k, v in AthleteOutput(new).data.items() if k not in strip})


def test_an_email_with_a_login_in_this_organisation_is_still_refused(world, client_for):
    response = _add(client_for(world.clinician), world.coach.email)
    assert response.status_code == 200
    assert "already has a login" in response.context["form"].errors["login_email"][0]
