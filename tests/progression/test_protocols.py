"""Protocols: the default is loaded by migration, versions are immutable, clinics clone and edit copies."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from progression import services
from progression.engine_io import engine_protocol, to_json_safe
from progression.models import Phase, Protocol
from progression.protocol_editing import apply_numbers, editable_numbers

pytestmark = pytest.mark.django_db


@pytest.fixture
def default():
    return Protocol.objects.get(slug="hamstring-rts", version=1)


def test_default_protocol_is_loaded_with_seven_phases(default):
    assert default.organisation is None
    assert list(Phase.objects.filter(protocol=default).values_list("number", flat=True)) == list(range(7))
    p1 = Phase.objects.get(protocol=default, number=1)
    assert p1.exit_criteria["min_lsi"] == 80 and p1.exit_criteria["min_technique"] == 75


def test_cloning_the_default_makes_an_organisation_copy(world, default):
    definition = to_json_safe(default.definition)
    copy = services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0, definition=definition,
                                         organisation=world.org)
    assert copy.slug == "hamstring-rts-northside" and copy.version == 1 and copy.organisation == world.org
    assert copy.parent == default
    default.refresh_from_db()
    assert default.definition == definition, "the default stays as written"


def test_editing_makes_a_new_version_and_plans_keep_theirs(world, default):
    copy = services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0,
                                         definition=to_json_safe(default.definition), organisation=world.org)
    plan = services.plan_start(actor=world.clinician, injury=world.injury, protocol=copy)
    edited = apply_numbers(to_json_safe(copy.definition), {"phase.1.min_lsi": Decimal("85")})
    v2 = services.protocol_new_version(actor=world.clinician, protocol=copy, definition=edited, base_version=1)
    assert (v2.slug, v2.version) == (copy.slug, 2)
    assert engine_protocol(v2).phases[1].criterion("min_lsi").value == 85
    assert engine_protocol(copy).phases[1].criterion("min_lsi").value == 80
    plan.refresh_from_db()
    assert plan.protocol == copy


def test_a_broken_definition_is_refused_with_the_path(world, default):
    definition = to_json_safe(default.definition)
    definition["phases"][3]["exit"]["min_lsi"] = "ninety"
    with pytest.raises(ValidationError) as exc:
        services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0, definition=definition,
                                      organisation=world.org)
    assert "phases[3]" in str(exc.value)


@pytest.mark.parametrize("who", ["coach", "athlete_user", "other_clinician"])
def test_only_clinicians_of_the_organisation_copy(world, default, who):
    with pytest.raises(PermissionDenied):
        services.protocol_new_version(actor=getattr(world, who), protocol=default, base_version=0,
                                      definition=to_json_safe(default.definition), organisation=world.org)


def test_every_threshold_is_editable(default):
    keys = {row["key"] for row in editable_numbers(to_json_safe(default.definition))}
    assert {"phase.1.min_lsi", "phase.4.min_technique", "phase.6.min_days_since_rts", "rule.red_flag.pain_at_least",
            "rule.technique_fatigue.drop_at_least", "rule.load_spike.hold_at"} <= keys


def test_edit_page_saves_a_copy(world, default, client_for):
    client = client_for(world.clinician)
    page = client.get(f"/clinic/protocols/{default.pk}/edit/")
    assert page.status_code == 200
    data = {"mode": "numbers", "name": "Our RTS", "base_version": 0}
    for row in editable_numbers(to_json_safe(default.definition)):
        data[row["key"]] = row["value"]
    data["phase.2.min_lsi"] = "87"
    response = client.post(f"/clinic/protocols/{default.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    copy = Protocol.objects.get(organisation=world.org)
    assert copy.name == "Our RTS" and engine_protocol(copy).phases[2].criterion("min_lsi").value == 87


def test_edit_page_shows_json_errors(world, default, client_for):
    response = client_for(world.clinician).post(f"/clinic/protocols/{default.pk}/edit/",
                                                {"mode": "json", "definition": "{not json"})
    assert response.status_code == 200
    assert "Not valid JSON" in response.content.decode()


def test_another_organisations_protocol_is_not_found(world, default, client_for):
    copy = services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0,
                                         definition=to_json_safe(default.definition), organisation=world.org)
    assert client_for(world.other_clinician).get(f"/clinic/protocols/{copy.pk}/").status_code == 404
    assert client_for(world.clinician).get(f"/clinic/protocols/{copy.pk}/").status_code == 200


def test_bench_page_runs_a_scenario_file(world, default, client_for):
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "engine" / "scenarios" / "sample.json").read_text()
    response = client_for(world.clinician).post(f"/clinic/protocols/{default.pk}/bench/", {"text": text})
    body = response.content.decode()
    assert response.status_code == 200 and "all as expected" in body and "A10" in body


def test_bench_page_reports_a_malformed_file(world, default, client_for):
    response = client_for(world.clinician).post(f"/clinic/protocols/{default.pk}/bench/", {"text": '{"scenarios": [{}]}'})
    assert response.status_code == 200 and "id" in response.content.decode()


def test_a_version_saved_at_the_same_moment_is_a_conflict_not_a_500(world, default):
    """Two clinicians saving the same next version: the loser gets a Conflict (was an IntegrityError, a 500)."""
    from core.exceptions import Conflict

    definition = to_json_safe(default.definition)
    definition["slug"], definition["version"] = "hamstring-rts", 1
    with pytest.raises(Conflict):
        services.protocol_create(actor=world.clinician, definition=definition, organisation=world.org)


def _inputs(body: str) -> dict:
    """name -> value of every <input> on a page, as a browser would post it (ticked checkboxes as a list)."""
    import html
    import re

    found = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        key, text = html.unescape(name.group(1)), html.unescape(value.group(1)) if value else None
        if 'type="checkbox"' in tag:
            found.setdefault(key, [])
            if re.search(r"\schecked", tag):
                found[key].append(text)
        else:
            found[key] = text
    return found


def test_edit_page_opens_filled_with_the_versions_numbers(world, default, client_for):
    """Was: the GET bound the form to an empty POST, so every threshold was empty and 'required' (64 times)."""
    body = client_for(world.clinician).get(f"/clinic/protocols/{default.pk}/edit/").content.decode()
    assert "This field is required" not in body
    inputs = _inputs(body)
    rows = editable_numbers(to_json_safe(default.definition))
    assert len(rows) > 60
    for row in rows:
        if row["kind"] == "days":
            assert inputs[row["key"]] == [str(d) for d in row["value"]], row["key"]
            continue
        assert inputs.get(row["key"]) not in (None, ""), f"{row['key']} is empty"
        assert Decimal(inputs[row["key"]]) == Decimal(str(row["value"])), row["key"]
    assert inputs["phase.4.default_days"] == ["1", "4"]
    assert inputs["name"] == f"{default.name} (our copy)"


def test_saving_the_numbers_shows_what_changed_on_the_new_version(world, default, client_for):
    client = client_for(world.clinician)
    copy = services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0,
                                         definition=to_json_safe(default.definition), organisation=world.org)
    data = {k: v for k, v in _inputs(client.get(f"/clinic/protocols/{copy.pk}/edit/").content.decode()).items()
            if k != "csrfmiddlewaretoken"}
    data.update({"mode": "numbers", "phase.3.min_lsi": "92", "phase.3.sessions_per_week.min": "3",
                 "phase.3.sessions_per_week.max": "3", "phase.3.default_days": ["1", "3", "5"]})
    response = client.post(f"/clinic/protocols/{copy.pk}/edit/", data, follow=True)
    body = response.content.decode()
    assert response.redirect_chain, response.context["numbers_form"].errors
    v2 = Protocol.objects.get(slug=copy.slug, version=2)
    assert response.redirect_chain[-1][0] == f"/clinic/protocols/{v2.pk}/"
    assert "3 changes from hamstring-rts-northside v1" in body
    assert "What changed from" in body
    assert "P3 exit: LSI &gt;= 90 -&gt; 92" in body and "P3 sessions/week 2 -&gt; 3" in body
    assert "P3 default days Tue, Fri -&gt; Mon, Wed, Fri" in body
    assert engine_protocol(v2).phases[3].sessions_per_week_min == 3
    assert engine_protocol(v2).phases[3].default_days == (1, 3, 5)
    assert engine_protocol(copy).phases[3].criterion("min_lsi").value == 90, "v1 stays as written"


def test_a_copy_saved_unchanged_says_nothing_changed(world, default, client_for):
    copy = services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0,
                                         definition=to_json_safe(default.definition), organisation=world.org)
    body = client_for(world.clinician).get(f"/clinic/protocols/{copy.pk}/").content.decode()
    assert "What changed from" in body and "Nothing: the same numbers" in body
    assert "What changed from" not in client_for(world.clinician).get(f"/clinic/protocols/{default.pk}/").content.decode()


def test_the_audit_row_of_a_new_version_lists_its_changes(world, default):
    from core.models import AuditEvent

    copy = services.protocol_new_version(actor=world.clinician, protocol=default, base_version=0,
                                         definition=to_json_safe(default.definition), organisation=world.org)
    edited = apply_numbers(to_json_safe(copy.definition), {"phase.3.min_lsi": Decimal("92")})
    v2 = services.protocol_new_version(actor=world.clinician, protocol=copy, definition=edited, base_version=1)
    event = AuditEvent.objects.get(action="protocol.create", target_id=str(v2.pk))
    assert event.after["changes"] == ["P3 exit: LSI >= 90 -> 92"] and event.after["parent"] == copy.pk
