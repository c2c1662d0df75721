"""No lost update through the API: POST /api/v1/protocols/<id>/clone/ carries the version it started from.

Without it: 400 naming base_version; with a stale one: 409 and nothing saved.
"""
import pytest

from progression import services
from progression.engine_io import to_json_safe
from progression.models import Protocol

pytestmark = pytest.mark.django_db

STALE = ("Someone saved version 2 of this protocol while you were editing version 1: open version 2 and make your "
         "change again.")


@pytest.fixture
def copy(world):
    default = Protocol.objects.get(slug="hamstring-rts", version=1)
    return services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0,
                                         definition=to_json_safe(default.definition), organisation=world.org)


def test_api_without_base_version_is_a_400_naming_the_field(world, copy, api_for):
    response = api_for(world.clinician).post(f"/api/v1/protocols/{copy.pk}/clone/", {})
    assert response.status_code == 400
    assert list(response.json()) == ["base_version"]
    assert Protocol.objects.filter(slug=copy.slug).count() == 1


def test_api_with_a_stale_base_version_is_a_409(world, copy, api_for):
    api = api_for(world.clinician)
    assert api.post(f"/api/v1/protocols/{copy.pk}/clone/", {"base_version": 1}).status_code == 201
    response = api.post(f"/api/v1/protocols/{copy.pk}/clone/", {"base_version": 1})
    assert response.status_code == 409
    assert response.json() == {"detail": STALE, "code": "conflict"}
    assert Protocol.objects.filter(slug=copy.slug).count() == 2


@pytest.mark.parametrize("value", [-1, "x", 9, None])
def test_api_with_an_impossible_base_version_is_a_400(world, copy, api_for, value):
    response = api_for(world.clinician).post(f"/api/v1/protocols/{copy.pk}/clone/", {"base_version": value},
                                             format="json")
    assert response.status_code == 400 and "base_version" in response.json(), response.content
    assert Protocol.objects.filter(slug=copy.slug).count() == 1
