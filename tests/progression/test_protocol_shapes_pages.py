"""Protocols of any shape through the Django side: stored, started, evaluated, signed off, drawn and edited.

The engine's own shape tests (tests/engine/test_protocol_shapes.py) feed the five- and nine-phase protocols to the
engine directly; these put them where a clinic would: a protocol version of the organisation, a plan on it, the
evidence path, the sign-off, every page that draws a plan or a protocol, the exports and the editor (an
eight-phase protocol included: the edit page once answered 500 on a phase number above 6).
"""
import datetime
import json
from pathlib import Path

import pytest

from core import clock
from progression import engine, evidence, services
from progression.models import Decision, Phase, Plan, Protocol

pytestmark = pytest.mark.django_db

PROTOCOLS_DIR = Path(__file__).resolve().parents[1] / "engine" / "protocols"
SHAPES = {"five": "five_phases.json", "nine": "nine_phases.json"}


def _definition(name: str) -> dict:
    return json.loads((PROTOCOLS_DIR / SHAPES[name]).read_text(encoding="utf-8"))


def _eight_phases() -> dict:
    """The nine-phase protocol without its second phase: eight phases, renumbered, clearance still the one before last."""
    data = _definition("nine")
    del data["phases"][1]
    for number, phase in enumerate(data["phases"]):
        phase["number"] = number
    data["slug"], data["name"] = "hamstring-rts-eight", "Return to sprint in eight phases"
    return data


@pytest.fixture(params=sorted(SHAPES))
def shaped(request, world):
    protocol = services.protocol_create(actor=world.clinician, definition=_definition(request.param),
                                        organisation=world.org)
    return protocol, engine.protocol_from_dict(_definition(request.param))


def _start(world, protocol, phase=0, **extra):
    start = world.org.today() - datetime.timedelta(days=20)
    return services.plan_start(actor=world.clinician, injury=world.injury, protocol=protocol, start_phase=phase,
                               start_date=start, **extra)


def test_a_stored_protocol_keeps_its_shape(world, shaped):
    protocol, parsed = shaped
    assert list(Phase.objects.filter(protocol=protocol).order_by("number").values_list("number", flat=True)) == \
        list(range(len(parsed.phases)))


def test_a_plan_starts_in_any_phase_of_the_shape_and_after_clearance_needs_the_clearance_date(world, shaped):
    protocol, parsed = shaped
    with pytest.raises(Exception, match="no such phase"):
        _start(world, protocol, phase=len(parsed.phases))
    with pytest.raises(Exception, match="clearance"):
        _start(world, protocol, phase=parsed.last_phase)
    plan = _start(world, protocol, phase=parsed.last_phase, clearance_date=world.org.today() - datetime.timedelta(days=3))
    assert plan.current_phase == parsed.last_phase


def test_the_evidence_path_decides_with_the_plans_own_protocol(world, shaped):
    """A session and its report through the services the pages call: the decision names this protocol's version
    and checks this protocol's P0 exit criteria (not the default's)."""
    protocol, parsed = shaped
    day = world.org.today() - datetime.timedelta(days=2)
    evening = datetime.datetime.combine(day, datetime.time(18), tzinfo=world.org.tz)
    clock.travel_to(evening - datetime.timedelta(hours=1))
    plan = _start(world, protocol)
    clock.travel_to(evening)
    log, _ = evidence.session_log_enter(actor=world.athlete_user, athlete=world.athlete, date=day, pain_during=0,
                                        rpe=3, minutes=30)
    clock.travel_to(evening + datetime.timedelta(hours=14))
    evidence.symptom_report_enter(actor=world.athlete_user, session_log=log, soreness_24h=0)
    decision = Decision.objects.filter(plan=plan).latest("pk")
    assert (decision.protocol_slug, decision.protocol_version) == (protocol.slug, protocol.version)
    checked = {r["code"] for r in decision.reasons if r.get("kind") == "criterion"}
    assert checked == {"exit." + c.code for c in parsed.phase(0).exit}


def test_an_override_past_clearance_asks_for_the_clearance_date_in_this_protocols_numbers(world, shaped):
    protocol, parsed = shaped
    plan = _start(world, protocol, phase=parsed.clearance_phase)
    proposal = Decision.objects.create(
        plan=plan, trigger="manual", protocol_slug=protocol.slug, protocol_version=protocol.version,
        decided_on=world.org.today(), inputs={}, reasons=[], decided_by_rule="exit", outcome="advance",
        from_phase=parsed.clearance_phase, to_phase=parsed.last_phase, status="pending")
    with pytest.raises(Exception, match=f"P{parsed.last_phase} comes after return-to-sport clearance"):
        services.decision_override(actor=world.clinician, decision=proposal, to_phase=parsed.last_phase,
                                   reason="cleared in clinic")
    with pytest.raises(Exception, match=f"from P0 to P{parsed.last_phase}"):
        services.decision_override(actor=world.clinician, decision=proposal, to_phase=parsed.last_phase + 1,
                                   reason="cleared in clinic")
    services.decision_override(actor=world.clinician, decision=proposal, to_phase=parsed.last_phase,
                               reason="cleared in clinic", clearance_date=world.org.today())
    plan.refresh_from_db()
    assert (plan.current_phase, plan.clearance_date) == (parsed.last_phase, world.org.today())


def _pages(world, plan, protocol):
    iso = world.org.today().isocalendar()
    return [
        (world.clinician, f"/clinic/athletes/{world.athlete.pk}/"),
        (world.clinician, "/clinic/"),
        (world.clinician, f"/clinic/protocols/{protocol.pk}/"),
        (world.clinician, f"/clinic/protocols/{protocol.pk}/edit/"),
        (world.clinician, f"/clinic/protocols/{protocol.pk}/bench/"),
        (world.coach, "/coach/"),
        (world.coach, f"/coach/week.csv?team={world.team.pk}&year={iso.year}&week={iso.week}"),
        (world.coach, f"/coach/week.ics?team={world.team.pk}&year={iso.year}&week={iso.week}"),
        (world.athlete_user, "/me/"),
        (world.athlete_user, "/me/progress/"),
    ]


@pytest.mark.parametrize("where", ["first", "clearance", "last"])
def test_every_page_draws_a_plan_in_any_phase_of_the_shape(world, shaped, client_for, where):
    protocol, parsed = shaped
    phase = {"first": 0, "clearance": parsed.clearance_phase, "last": parsed.last_phase}[where]
    extra = {"clearance_date": world.org.today() - datetime.timedelta(days=2)} if parsed.after_clearance(phase) else {}
    plan = _start(world, protocol, phase=phase, **extra)
    for user, url in _pages(world, plan, protocol):
        response = client_for(user).get(url)
        assert response.status_code == 200, (url, response.status_code)
    page = client_for(world.clinician).get(f"/clinic/athletes/{world.athlete.pk}/").content.decode()
    assert parsed.phase(phase).name in page
    assert f"P0–P{parsed.last_phase}" in page or f"P0-P{parsed.last_phase}" in page, "the phase count of this protocol"
    assert plan.current_phase == phase


def test_the_charts_draw_this_protocols_thresholds(world, client_for):
    """A five-phase protocol whose P0 pain threshold differs from the default's: the athlete page's chart labels it."""
    data = _definition("five")
    pain = next(c for c in data["phases"][0]["exit"] if c == "max_pain")
    data["phases"][0]["exit"][pain] = {"value": 1} if isinstance(data["phases"][0]["exit"][pain], dict) else 1
    protocol = services.protocol_create(actor=world.clinician, definition=data, organisation=world.org)
    day = world.org.today() - datetime.timedelta(days=2)
    clock.travel_to(datetime.datetime.combine(day, datetime.time(17), tzinfo=world.org.tz))
    plan = _start(world, protocol)
    clock.advance(hours=1)
    evidence.session_log_enter(actor=world.athlete_user, athlete=world.athlete, date=day, pain_during=1, rpe=3, minutes=30)
    clock.resume()
    page = client_for(world.clinician).get(f"/clinic/athletes/{world.athlete.pk}/").content.decode()
    assert "pain ≤ 1" in page or "pain &lt;= 1" in page or "pain <= 1" in page
    assert Plan.objects.get(pk=plan.pk).protocol_id == protocol.pk


def test_an_eight_phase_protocol_is_saved_and_edited_from_the_pages(world, client_for):
    client = client_for(world.clinician)
    default = Protocol.objects.get(slug="hamstring-rts", version=1)
    page = client.get(f"/clinic/protocols/{default.pk}/edit/")
    base = page.context["json_form"].initial["base_version"]
    response = client.post(f"/clinic/protocols/{default.pk}/edit/",
                           {"mode": "json", "definition": json.dumps(_eight_phases()), "base_version": base})
    assert response.status_code == 302, response.context["json_form"].errors if response.context else response
    eight = Protocol.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert Phase.objects.filter(protocol=eight).count() == 8
    # The numbers editor of that protocol: shown, and a change to the last phase saved as a new version.
    page = client.get(f"/clinic/protocols/{eight.pk}/edit/")
    assert page.status_code == 200
    form = page.context["numbers_form"]
    last = [name for name in form.fields if name.startswith("phase.7.")]
    assert last, sorted(form.fields)[:20]
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data["mode"] = "numbers"
    changed = next(name for name in last if name.endswith(".min_sessions"))
    data[changed] = str(int(data[changed]) + 1)
    response = client.post(f"/clinic/protocols/{eight.pk}/edit/", data)
    assert response.status_code == 302, response.context["numbers_form"].errors
    newer = Protocol.objects.get(slug=eight.slug, version=eight.version + 1)
    assert engine.protocol_from_dict(newer.definition).phase(7).min_sessions == \
        engine.protocol_from_dict(eight.definition).phase(7).min_sessions + 1
    detail = client.get(response["Location"])
    assert detail.status_code == 200
