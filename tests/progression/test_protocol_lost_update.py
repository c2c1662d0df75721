"""No lost update on protocol saves: an editor carries the version it started from, and a save made after someone
else saved a newer version is refused (pages: a plain-words error; API: 409; no base version in the API: 400).

Was: two clinicians editing v1 both saved, and v3 silently lacked v2's change.
"""
import threading

import pytest
from django.db import connection, connections

from athletes.models import Role
from core.exceptions import Conflict
from progression import services
from progression.engine_io import engine_protocol, to_json_safe
from progression.models import Protocol
from tests.conftest import need
from tests.factories import MembershipFactory, UserFactory
from tests.progression.test_protocols import _inputs

pytestmark = pytest.mark.django_db

STALE = ("Someone saved version 2 of this protocol while you were editing version 1: open version 2 and make your "
         "change again.")


@pytest.fixture
def default(db):
    return Protocol.objects.get(slug="hamstring-rts", version=1)


@pytest.fixture
def copy(world, default):
    """The organisation's own copy, v1."""
    return services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0,
                                         definition=to_json_safe(default.definition), organisation=world.org)


@pytest.fixture
def second_clinician(world):
    return MembershipFactory(organisation=world.org, role=Role.CLINICIAN, user=UserFactory(username="clin-b")).user


def open_numbers_form(client, protocol) -> dict:
    """GET the editor and return what its numbers form would post unchanged."""
    page = client.get(f"/clinic/protocols/{protocol.pk}/edit/")
    assert page.status_code == 200
    data = {k: v for k, v in _inputs(page.content.decode()).items() if k != "csrfmiddlewaretoken"}
    data["mode"] = "numbers"
    return data


def open_json_form(client, protocol) -> dict:
    page = client.get(f"/clinic/protocols/{protocol.pk}/edit/")
    return {"mode": "json", "base_version": page.context["json_form"]["base_version"].value(),
            "definition": page.context["json_form"]["definition"].value()}


def test_the_second_of_two_numbers_saves_from_the_same_version_is_refused(world, copy, second_clinician, client_for):
    a, b = client_for(world.clinician), client_for(second_clinician)
    form_a, form_b = open_numbers_form(a, copy), open_numbers_form(b, copy)
    assert form_a["base_version"] == form_b["base_version"] == "1"
    form_a["phase.3.min_lsi"] = "92"
    assert a.post(f"/clinic/protocols/{copy.pk}/edit/", form_a).status_code == 302
    form_b["phase.2.min_technique"] = "80"
    response = b.post(f"/clinic/protocols/{copy.pk}/edit/", form_b)
    assert response.status_code == 200
    body = response.content.decode()
    assert STALE in body
    v2 = Protocol.objects.get(slug=copy.slug, version=2)
    assert f'href="/clinic/protocols/{v2.pk}/edit/"' in body, "a link to the version to edit instead"
    assert response.context["numbers_form"]["phase.2.min_technique"].value() == "80", "what B typed is still there"
    assert list(Protocol.objects.filter(slug=copy.slug).values_list("version", flat=True)) == [2, 1]
    assert engine_protocol(v2).phases[3].criterion("min_lsi").value == 92


def test_the_second_of_two_json_saves_from_the_same_version_is_refused(world, copy, second_clinician, client_for):
    a, b = client_for(world.clinician), client_for(second_clinician)
    form_a, form_b = open_json_form(a, copy), open_json_form(b, copy)
    assert a.post(f"/clinic/protocols/{copy.pk}/edit/", form_a).status_code == 302
    response = b.post(f"/clinic/protocols/{copy.pk}/edit/", form_b)
    assert response.status_code == 200 and STALE in response.content.decode()
    assert Protocol.objects.filter(slug=copy.slug).count() == 2


def test_two_first_copies_of_a_built_in_protocol(world, default, second_clinician, client_for):
    a, b = client_for(world.clinician), client_for(second_clinician)
    form_a, form_b = open_numbers_form(a, default), open_numbers_form(b, default)
    assert form_a["base_version"] == "0"
    assert a.post(f"/clinic/protocols/{default.pk}/edit/", form_a).status_code == 302
    body = b.post(f"/clinic/protocols/{default.pk}/edit/", form_b).content.decode()
    assert ("Someone saved version 1 of your organisation&#x27;s copy of this protocol while you were editing: open "
            "version 1 and make your change again.") in body
    assert Protocol.objects.filter(organisation=world.org).count() == 1


def test_a_form_without_its_base_version_saves_nothing(world, copy, client_for):
    form = open_numbers_form(client_for(world.clinician), copy)
    del form["base_version"]
    response = client_for(world.clinician).post(f"/clinic/protocols/{copy.pk}/edit/", form)
    assert response.status_code == 200
    assert "This page is out of date: open the protocol again and make your change." in response.content.decode()
    assert Protocol.objects.filter(slug=copy.slug).count() == 1


def test_editing_an_older_version_on_purpose_still_works(world, copy, client_for):
    """The base is the newest version when the page was opened, not the version shown: going back to v1's numbers
    after v2 exists is a deliberate new version (v3), not a conflict."""
    client = client_for(world.clinician)
    services.protocol_new_version(actor=world.clinician, protocol=copy, base_version=1,
                                  definition=to_json_safe(copy.definition))
    form = open_numbers_form(client, copy)
    assert form["base_version"] == "2"
    assert client.post(f"/clinic/protocols/{copy.pk}/edit/", form).status_code == 302
    assert Protocol.objects.filter(slug=copy.slug).count() == 3


# --- the service -------------------------------------------------------------------------------------------

def test_service_refuses_a_stale_base(world, copy):
    services.protocol_new_version(actor=world.clinician, protocol=copy, base_version=1, definition=to_json_safe(copy.definition))
    with pytest.raises(Conflict) as exc:
        services.protocol_new_version(actor=world.clinician, protocol=copy, base_version=1,
                                      definition=to_json_safe(copy.definition))
    assert exc.value.message == STALE
    assert exc.value.current == Protocol.objects.get(slug=copy.slug, version=2)


@pytest.mark.parametrize("base_version", [None, -1, "1", True, 7])
def test_service_refuses_a_missing_or_impossible_base(world, copy, base_version):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.protocol_new_version(actor=world.clinician, protocol=copy, base_version=base_version,
                                      definition=to_json_safe(copy.definition))
    assert "base_version" in exc.value.message_dict
    assert Protocol.objects.filter(slug=copy.slug).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("timing", ["at the same moment", "one after the other"])
def test_two_concurrent_saves_give_one_success_and_one_conflict(world, timing):
    """Two clinicians, two threads, two database connections, both editing v1 of the organisation's copy.

    "at the same moment": both save at once (the unique slug+version decides); "one after the other": both opened
    v1, the first saves, then the second (the lost update this prevents)."""
    need(connection.vendor == "postgresql", "concurrent writers need PostgreSQL (set DATABASE_URL)")
    from tests.conftest import ensure_default_protocol

    ensure_default_protocol()
    default = Protocol.objects.get(slug="hamstring-rts", version=1)
    copy = services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0,
                                         definition=to_json_safe(default.definition), organisation=world.org)
    other = MembershipFactory(organisation=world.org, role=Role.CLINICIAN, user=UserFactory(username="clin-b")).user
    opened = threading.Barrier(2)
    first_saved = threading.Event()
    results = {}

    def edit(who, actor, lsi):
        try:
            base = Protocol.objects.filter(slug=copy.slug).order_by("-version").first().version  # the page opens
            opened.wait(10)
            if timing == "one after the other" and who == "b":
                first_saved.wait(10)
            definition = to_json_safe(copy.definition)
            definition["phases"][3]["exit"]["min_lsi"] = lsi
            services.protocol_new_version(actor=actor, protocol=Protocol.objects.get(pk=copy.pk), base_version=base,
                                          definition=definition)
            results[who] = "saved"
        except Conflict as exc:
            results[who] = exc.message
        finally:
            if who == "a":
                first_saved.set()
            connections.close_all()

    threads = [threading.Thread(target=edit, args=("a", world.clinician, 91)),
               threading.Thread(target=edit, args=("b", other, 93))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == sorted(["saved", STALE]), results
    versions = list(Protocol.objects.filter(slug=copy.slug).order_by("version").values_list("version", flat=True))
    assert versions == [1, 2]
    if timing == "one after the other":
        assert results == {"a": "saved", "b": STALE}
