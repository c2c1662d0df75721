"""The scoped reads behind /fhir/: each goes through an app's selector (core.access), so what an actor cannot see
is NotFound (404), exactly as a missing id. Voided records (entered in error) are left out."""
from django.contrib.auth import get_user_model

from athletes import selectors as athlete_selectors
from athletes.models import Role
from core.access import access_for
from core.exceptions import NotFound
from progression import selectors as plan_selectors
from sessions import selectors as session_selectors


def pk_of(raw) -> int:
    """A FHIR id that should be one of our integer ids; anything else cannot exist."""
    text = str(raw)
    if not text.isdecimal() or not text.isascii() or len(text) > 18 or int(text) < 1:
        raise NotFound("No such resource.")
    return int(text)


def athlete(actor, pk):
    return athlete_selectors.athlete_get(user=actor, pk=pk_of(pk))


def athletes(actor):
    return athlete_selectors.athlete_list(user=actor).select_related("organisation")


def practitioner(actor, pk):
    """A clinician of an organisation the actor belongs to (any role); staff see every clinician."""
    access = access_for(actor)
    if access.is_staff:
        users = get_user_model().objects.filter(memberships__role=Role.CLINICIAN)
    else:  # one filter() call: a clinician membership *in* one of the actor's organisations
        users = get_user_model().objects.filter(memberships__role=Role.CLINICIAN,
                                                memberships__organisation_id__in=access.org_ids)
    user = users.filter(pk=pk_of(pk)).distinct().first()
    if user is None:
        raise NotFound("No such practitioner.")
    return user


def injuries(actor, athlete_id=None):
    return athlete_selectors.injury_list(user=actor, athlete_id=athlete_id).select_related("athlete")


def injury(actor, pk):
    return athlete_selectors.injury_get(user=actor, pk=pk_of(pk))


def plans(actor, athlete_id=None):
    return plan_selectors.plan_list(user=actor, athlete_id=athlete_id).select_related(
        "protocol__organisation", "injury__athlete").order_by("created_at", "pk")


def plan(actor, pk):
    return plan_selectors.plan_get(user=actor, pk=pk_of(pk))


def latest_decision(plan_row):
    return plan_selectors.decision_latest(plan=plan_row)


def protocols(actor):
    return plan_selectors.protocol_list(user=actor).select_related("organisation")


def protocol(actor, pk):
    return plan_selectors.protocol_get(user=actor, pk=pk_of(pk))


def session_logs(actor, athlete_id=None, date_from=None, date_to=None):
    return (session_selectors.session_log_list(user=actor, athlete_id=athlete_id, date_from=date_from,
                                               date_to=date_to)
            .filter(voided_at__isnull=True).select_related("plan__injury").order_by("date", "pk"))


def session_log(actor, pk):
    log = session_logs(actor).filter(pk=pk_of(pk)).first()
    if log is None:
        raise NotFound("No such session.")
    return log


def reports(actor, athlete_id=None):
    return (session_selectors.symptom_report_list(user=actor, athlete_id=athlete_id)
            .filter(voided_at__isnull=True, session_log__voided_at__isnull=True)
            .select_related("session_log").order_by("reported_at", "pk"))


def report(actor, pk):
    row = reports(actor).filter(pk=pk_of(pk)).first()
    if row is None:
        raise NotFound("No such report.")
    return row


def assessments(actor, athlete_id=None):
    return (session_selectors.assessment_list(user=actor, athlete_id=athlete_id).filter(voided_at__isnull=True)
            .order_by("assessed_on", "pk"))


def assessment(actor, pk):
    row = assessments(actor).filter(pk=pk_of(pk)).first()
    if row is None:
        raise NotFound("No such assessment.")
    return row
