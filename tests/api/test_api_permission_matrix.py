"""The API permission matrix: every route of the "api" namespace, every method it answers, every role.

Routes and methods are collected from the URL resolver, so a new endpoint (or a new method on one) without a
row here fails `test_every_api_route_and_method_is_in_the_matrix`.

The rules it holds the API to (see core/api_base.py):
- anonymous: 401 with `WWW-Authenticate: Token` (the docs page: a redirect to the login page);
- a role that may not use the endpoint: 403, before any lookup;
- an object outside the caller's scope in the URL: 404, exactly as a missing one;
- an object outside the caller's scope in the request body: 400 with a field error, worded as for a missing id.

Every write (POST, PATCH, DELETE) also compares the whole database before and after (tests/db_snapshot.py): a
refused request changes nothing, an allowed one changes something. The "dual" role (a clinician of the other
organisation who coaches the athlete's team) sees the athlete's records, so only the services' own checks stop
their clinician actions: a service that forgot its check fails its row (see tests/test_permission_matrix.py).
"""
import base64
import datetime
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import ROLES as BASE_ROLES
from .conftest import new_client_id, user_for

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
WRITE_METHODS = ("post", "put", "patch", "delete")
ROLES = [*BASE_ROLES, "dual"]


def expect(anon=401, athlete=403, other_athlete=403, coach=403, other_coach=403, clinician=200, other_clinician=200,
           dual=None):
    """`dual` defaults to the clinician's answer."""
    return dict(anon=anon, athlete=athlete, other_athlete=other_athlete, coach=coach, other_coach=other_coach,
                clinician=clinician, other_clinician=other_clinician, dual=clinician if dual is None else dual)


EVERYONE = expect(athlete=200, other_athlete=200, coach=200, other_coach=200)
PUBLIC = dict.fromkeys(ROLES, 200)
# An object of `world.athlete`: the athlete, their team's coach and their organisation's clinicians see it.
CARE_TEAM = expect(athlete=200, other_athlete=404, coach=200, other_coach=404, clinician=200, other_clinician=404)
# A clinician's action on an object of `world.athlete` (the dual role sees it, the service refuses: 403).
CLINICIAN_ACTION = expect(other_clinician=404, dual=403)
# A clinician's create whose body names an object of `world.athlete`.
CLINICIAN_CREATE = expect(clinician=201, other_clinician=400, dual=403)
# A create anyone looking after `world.athlete` may make (the body names the athlete or their session).
CARE_TEAM_CREATE = expect(athlete=201, other_athlete=400, coach=201, other_coach=400, clinician=201, other_clinician=400)
ATHLETES_ONLY = expect(athlete=200, other_athlete=200, clinician=403, other_clinician=403)


@dataclass
class Case:
    expected: dict
    kwargs: object = None   # fn(objects) -> dict
    data: object = None     # fn(objects) -> dict (JSON body; query string for GET)
    writes: bool = True     # a write method that succeeds changes the database (False: not always)


def pk(name):
    return lambda o: {"pk": getattr(o, name).pk}


# Imports belong to the clinician's organisation: another organisation's clinician and the dual role get 404.
IMPORT_OBJECT = expect(other_clinician=404, dual=404)


def _vald_csv(left=300, right=400) -> bytes:
    day = datetime.date.today() - datetime.timedelta(days=1)
    return (f"Name,Date UTC,Time UTC,Device,Test,L Max Force (N),R Max Force (N)\n"
            f"Alex Runner,{day:%d/%m/%Y},09:00:00,NordBord,Nordic,{left},{right}\n").encode()


def _import(o, *, confirmed=False, left=300):
    from imports import services

    batch = services.import_preview(actor=o.world.clinician, organisation=o.world.org, file_name="nordbord.csv",
                                    data=_vald_csv(left))
    if confirmed:
        services.import_confirm(actor=o.world.clinician, batch=batch)
    return batch


CASES = {
    ("api:import-list", "get"): Case(expect()),
    ("api:import-list", "post"): Case(expect(clinician=201, other_clinician=201), data=lambda o: {
        "file_name": "nordbord.csv", "content_base64": base64.b64encode(_vald_csv()).decode()}),
    ("api:import-detail", "get"): Case(IMPORT_OBJECT, kwargs=lambda o: {"pk": _import(o).pk}),
    ("api:import-confirm", "post"): Case(IMPORT_OBJECT, kwargs=lambda o: {"pk": _import(o, left=310).pk}),
    ("api:import-undo", "post"): Case(IMPORT_OBJECT, kwargs=lambda o: {"pk": _import(o, confirmed=True, left=320).pk},
                                      data=lambda o: {"reason": "the wrong athlete's export"}),
    ("api:athlete-list", "get"): Case(EVERYONE),
    ("api:athlete-list", "post"): Case(expect(clinician=201, other_clinician=201),
                                       data=lambda o: {"first_name": "New", "last_name": "Athlete"}),
    ("api:athlete-detail", "get"): Case(CARE_TEAM, kwargs=lambda o: {"pk": o.world.athlete.pk}),
    ("api:athlete-detail", "patch"): Case(CLINICIAN_ACTION, kwargs=lambda o: {"pk": o.world.athlete.pk},
                                          data=lambda o: {"sport": "Rugby"}),
    ("api:injury-list", "get"): Case(EVERYONE),
    ("api:injury-list", "post"): Case(CLINICIAN_CREATE, data=lambda o: {
        "athlete": o.world.athlete.pk, "side": "left", "bamic_grade": 1, "date_of_injury": "2024-01-10"}),
    ("api:injury-detail", "get"): Case(CARE_TEAM, kwargs=lambda o: {"pk": o.world.injury.pk}),
    ("api:assessment-list", "get"): Case(EVERYONE),
    ("api:assessment-list", "post"): Case(CLINICIAN_CREATE, data=lambda o: {"injury": o.spare_injury.pk, "pain_palpation": 1}),
    ("api:assessment-detail", "get"): Case(CARE_TEAM, kwargs=pk("assessment")),
    ("api:session-log-list", "get"): Case(EVERYONE),
    ("api:session-log-list", "post"): Case(CARE_TEAM_CREATE, data=lambda o: {
        "athlete": o.world.athlete.pk, "client_id": new_client_id(), "pain_during": 1, "rpe": "5", "minutes": 30}),
    ("api:session-log-detail", "get"): Case(CARE_TEAM, kwargs=pk("session")),
    ("api:symptom-report-list", "get"): Case(EVERYONE),
    ("api:symptom-report-list", "post"): Case(CARE_TEAM_CREATE, data=lambda o: {
        "session_log": o.open_session.pk, "client_id": new_client_id(), "soreness_24h": 1}),
    ("api:symptom-report-detail", "get"): Case(CARE_TEAM, kwargs=pk("report")),
    ("api:plan-list", "get"): Case(EVERYONE),
    ("api:plan-list", "post"): Case(CLINICIAN_CREATE, data=lambda o: {"injury": o.spare_injury.pk, "protocol": o.protocol.pk}),
    ("api:plan-detail", "get"): Case(CARE_TEAM, kwargs=pk("plan")),
    ("api:plan-week", "get"): Case(CARE_TEAM, kwargs=pk("plan"), data=lambda o: {"year": 2025, "week": 10}),
    ("api:decision-list", "get"): Case(EVERYONE),
    ("api:decision-detail", "get"): Case(CARE_TEAM, kwargs=pk("decision")),
    ("api:decision-sign-off", "post"): Case(CLINICIAN_ACTION, kwargs=pk("decision"),
                                            data=lambda o: {"version": o.plan.version}),
    ("api:decision-reject", "post"): Case(CLINICIAN_ACTION, kwargs=pk("decision"),
                                          data=lambda o: {"reason": "One more week.", "version": o.plan.version}),
    ("api:decision-override", "post"): Case(CLINICIAN_ACTION, kwargs=pk("decision"),
                                            data=lambda o: {"to_phase": 1, "reason": "Judgement.", "version": o.plan.version}),
    ("api:protocol-list", "get"): Case(EVERYONE),
    ("api:protocol-detail", "get"): Case(EVERYONE, kwargs=pk("protocol")),
    ("api:protocol-clone", "post"): Case(expect(clinician=201, other_clinician=201), kwargs=pk("protocol"),
                                         data=lambda o: {"base_version": 0}),
    ("api:me", "get"): Case(ATHLETES_ONLY),
    ("api:me-week", "get"): Case(expect(athlete=200, other_athlete=404, clinician=403, other_clinician=403)),
    ("api:me-progress", "get"): Case(ATHLETES_ONLY),
    ("api:tokens", "post"): Case(expect(clinician=201, other_clinician=201)),
    ("api:tokens", "delete"): Case(expect(clinician=204, other_clinician=204), writes=False),  # 204 with no token too
    # The schema and its docs are for logged-in users of every role (issue 10, finding 9): anonymous, a 401;
    # the docs page (HTML), the login page.
    ("api:schema", "get"): Case(EVERYONE),
    ("api:docs", "get"): Case(expect(anon=302, athlete=200, other_athlete=200, coach=200, other_coach=200)),
}


def _methods(callback) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a router's viewset route: {"get": "list", "post": "create"}
        return sorted(m for m in actions if m in HTTP_METHODS)  # HEAD mirrors GET
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return sorted(m for m in HTTP_METHODS if hasattr(view_class, m))


def api_routes(resolver=None, prefix="", inside=False):
    """(url name, method) for every route under the "api" namespace."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            yield from api_routes(entry, f"{prefix}{ns}:" if ns else prefix, inside or ns == "api")
        elif isinstance(entry, URLPattern) and entry.name and inside:
            for method in _methods(entry.callback):
                yield prefix + entry.name, method


def test_every_api_route_and_method_is_in_the_matrix():
    routes = set(api_routes())
    assert routes, "no API routes found: is rehab/api_urls.py included?"
    missing = sorted(routes - set(CASES))
    assert not missing, f"API routes without a row in the API permission matrix: {missing}"
    stale = sorted(set(CASES) - routes)
    assert not stale, f"matrix rows for routes that do not exist: {stale}"


@pytest.fixture
def dual(objects):
    """A clinician of the other organisation who also coaches the athlete's team."""
    from athletes.models import Membership
    from tests.factories import UserFactory

    user = UserFactory(username="dual")
    Membership.objects.create(user=user, organisation=objects.world.other_org, role="clinician")
    Membership.objects.create(user=user, organisation=objects.world.org, role="coach")
    objects.world.team.coaches.add(user)
    return user


#: (route, role) pairs whose request was checked with the before/after snapshot (the figures in the report).
SNAPSHOT_CHECKS = []


def check_route(route, role, objects, api_for, dual):
    from tests.db_snapshot import changed_tables, snapshot

    name, method = route
    case = CASES[route]
    url = reverse(name, kwargs=case.kwargs(objects) if case.kwargs else None)
    client = api_for(dual if role == "dual" else user_for(objects.world, role))
    data = case.data(objects) if case.data else None
    before = snapshot() if method in WRITE_METHODS else None
    response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    expected = case.expected[role]
    assert response.status_code == expected, (
        f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected}: "
        f"{getattr(response, 'data', None) or response.content[:300]}")
    if before is not None:
        changed = changed_tables(before, snapshot())
        SNAPSHOT_CHECKS.append((route, role))
        if expected >= 400:
            assert not changed, f"{method.upper()} {url} as {role} was refused ({expected}) but changed {changed}"
        elif case.writes:
            assert changed, f"{method.upper()} {url} as {role} answered {expected} but changed nothing"
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(CASES), ids=lambda r: f"{r[1].upper()} {r[0]}")
def test_api_permission_matrix(route, role, objects, api_for, dual):
    name, method = route
    response = check_route(route, role, objects, api_for, dual)
    expected = CASES[route].expected[role]
    if expected == 401:
        assert response["WWW-Authenticate"] == 'Token', "a 401 names the scheme to use"
    if expected in (400, 403, 404) and name not in ("api:schema", "api:docs"):
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        if expected == 400:
            assert isinstance(body, dict) and body, "400 carries field errors"
        else:
            assert "detail" in body


@pytest.mark.django_db
def test_the_api_matrix_fails_if_sign_off_skips_its_permission_check(objects, api_for, dual, monkeypatch):
    from progression import services

    original = services.decision_sign_off

    def without_permission_check(**kwargs):
        with monkeypatch.context() as m:
            # the sign-off's clinician check, where decision_sign_off looks it up
            m.setattr("progression.services.decisions._require_clinician", lambda *args, **kw: None)
            return original(**kwargs)

    monkeypatch.setattr(services, "decision_sign_off", without_permission_check)
    with pytest.raises(AssertionError, match="as dual: 200, expected 403"):
        check_route(("api:decision-sign-off", "post"), "dual", objects, api_for, dual)
