"""Entering evidence, then deciding: what pages and the API call when someone records something.

Each function writes through `sessions.services` (permission, validation, the row, its audit event) and then,
in the same transaction, lets the engine decide on the athlete's open plan:

- evidence of the current stint re-evaluates the plan (`plan_evaluate`);
- evidence that arrives late for a session of a closed stint (a next-morning report, a correction) is checked
  against rules 1 and 2 (`plan_check_late_warning`): a warning sign is never lost because the stint moved on.

This is the layer above `sessions`: `sessions` knows nothing of plans' decisions.
"""

from core.transactions import service_atomic
from sessions import services as session_services

from .models import Decision, Plan
from .services import (
    alert_without_plan,
    plan_check_late_warning,
    plan_evaluate,
    plan_open_for,
    plan_reevaluate_if_changed,
)


def _plan_of(log) -> Plan | None:
    if log.plan_id is None:
        return None
    plan = Plan.objects.filter(pk=log.plan_id, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]).first()
    return plan


def _decide_for_session(*, actor, log, trigger, now, symptom_report=None, note: str = "", only_if_changed=False):
    """Evaluate after evidence about one session: the current stint's plan, or the late-warning check.

    `only_if_changed` (a technique rating, a measurement): a decision is recorded only when the outcome or a
    rule's status changes, so the history is not a column of identical holds; the audit trail keeps the entry.
    """
    plan = _plan_of(log)
    if plan is None:
        return None
    log.refresh_from_db(fields=["stint"])
    if log.stint is not None:
        return plan_check_late_warning(plan=plan, actor=actor, trigger=trigger, session_log=log,
                                       symptom_report=symptom_report, now=now, note=note)
    if only_if_changed and plan.status == Plan.Status.ACTIVE:
        return plan_reevaluate_if_changed(plan=plan, actor=actor, trigger=trigger, now=now, note=note,
                                          session_log=log)
    return plan_evaluate(plan=plan, actor=actor, trigger=trigger, session_log=log, symptom_report=symptom_report,
                         now=now, note=note)


@service_atomic
def session_log_enter(*, actor, athlete, client_id=None, now=None, **fields):
    """Log a session and evaluate the athlete's open plan. Returns (log, created); a retry evaluates nothing."""
    plan = plan_open_for(athlete)
    log, created = session_services.session_log_create(actor=actor, athlete=athlete, plan=plan, client_id=client_id,
                                                       now=now, **fields)
    if created:
        if plan is None:
            alert_without_plan(log)
        else:
            plan_evaluate(plan=plan, actor=actor, trigger=Decision.Trigger.SESSION_LOG, session_log=log, now=now)
    return log, created


@service_atomic
def symptom_report_enter(*, actor, session_log, client_id=None, now=None, **fields):
    """Send a next-morning report and decide: the plan's current stint, or a late warning sign."""
    report, created = session_services.symptom_report_create(actor=actor, session_log=session_log,
                                                             client_id=client_id, now=now, **fields)
    if created:
        _decide_for_session(actor=actor, log=session_log, trigger=Decision.Trigger.SYMPTOM_REPORT, now=now,
                            symptom_report=report)
    return report, created


@service_atomic
def assessment_enter(*, actor, injury, now=None, **fields):
    """Record an assessment (strength, H-test, technique reach the engine as readings) and evaluate."""
    plan = Plan.objects.filter(injury=injury, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]).first()
    assessment = session_services.assessment_create(actor=actor, injury=injury, plan=plan, now=now, **fields)
    if plan is not None:
        plan_evaluate(plan=plan, actor=actor, trigger=Decision.Trigger.ASSESSMENT, assessment=assessment, now=now)
    return assessment


@service_atomic
def technique_rating_enter(*, actor, session_log, now=None, **fields):
    rating = session_services.technique_rate(actor=actor, session_log=session_log, now=now, **fields)
    _decide_for_session(actor=actor, log=session_log, trigger=Decision.Trigger.TECHNIQUE, now=now,
                        note=f"Technique {rating.score} % rated by {_who(actor)}.", only_if_changed=True)
    return rating


@service_atomic
def session_measurements_enter(*, actor, session_log, reason: str = "", now=None, **fields):
    """Record what staff measured in a session (peak speed, efforts, full session, H-test) and evaluate."""
    log, changed = session_services.session_measurements_set(actor=actor, log=session_log, reason=reason, now=now,
                                                             **fields)
    if changed:
        note = f"Measurements: {_words(changed)}" + (f" ({reason.strip()})" if reason.strip() else "")
        _decide_for_session(actor=actor, log=log, trigger=Decision.Trigger.MEASUREMENT, now=now, note=note,
                            only_if_changed=not reason.strip())
    return log, changed


def _words(changed: dict) -> str:
    def value(v):
        if v is None or v == "":
            return "cleared"
        if isinstance(v, bool):
            return "yes" if v else "no"
        return str(v)

    return ", ".join(f"{name.replace('_', ' ')} {value(v)}" for name, v in changed.items())


def _who(actor) -> str:
    return actor.get_full_name() or actor.get_username()


@service_atomic
def session_log_correct(*, actor, log, reason: str = "", now=None, **fields):
    log, changed = session_services.session_log_correct(actor=actor, log=log, reason=reason, now=now, **fields)
    if changed:
        note = f"Correction by {_who(actor)} to the session of {log.date:%d %b %Y}: {_words(changed)}."
        if reason.strip():
            note += f" Reason: {reason.strip()}"
        _decide_for_session(actor=actor, log=log, trigger=Decision.Trigger.CORRECTION, now=now, note=note)
    return log, changed


@service_atomic
def session_log_void(*, actor, log, reason: str, now=None):
    log = session_services.session_log_void(actor=actor, log=log, reason=reason, now=now)
    plan = _plan_of(log)
    if plan is not None and log.stint is None:
        plan_evaluate(plan=plan, actor=actor, trigger=Decision.Trigger.CORRECTION, now=now,
                      note=f"{_who(actor)} voided the session of {log.date:%d %b %Y}: {reason.strip()}")
    return log


@service_atomic
def symptom_report_correct(*, actor, report, reason: str = "", now=None, **fields):
    report, changed = session_services.symptom_report_correct(actor=actor, report=report, reason=reason, now=now,
                                                              **fields)
    if changed:
        log = report.session_log
        note = f"Correction by {_who(actor)} to the next-morning report after {log.date:%d %b %Y}: {_words(changed)}."
        if reason.strip():
            note += f" Reason: {reason.strip()}"
        _decide_for_session(actor=actor, log=log, trigger=Decision.Trigger.CORRECTION, now=now, symptom_report=report,
                            note=note)
    return report, changed


@service_atomic
def symptom_report_void(*, actor, report, reason: str, now=None):
    report = session_services.symptom_report_void(actor=actor, report=report, reason=reason, now=now)
    log = report.session_log
    log.refresh_from_db(fields=["stint"])
    plan = _plan_of(log)
    if plan is not None and log.stint is None:
        plan_evaluate(plan=plan, actor=actor, trigger=Decision.Trigger.CORRECTION, now=now,
                      note=f"{_who(actor)} voided the next-morning report after {log.date:%d %b %Y}: {reason.strip()}")
    return report


@service_atomic
def assessment_correct(*, actor, assessment, reason: str, now=None, **fields):
    assessment, changed = session_services.assessment_correct(actor=actor, assessment=assessment, reason=reason,
                                                              now=now, **fields)
    if changed and assessment.plan_id and assessment.stint is None:
        plan = Plan.objects.filter(pk=assessment.plan_id, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]).first()
        if plan is not None:
            plan_evaluate(plan=plan, actor=actor, trigger=Decision.Trigger.CORRECTION, assessment=assessment, now=now,
                          note=f"Correction by {_who(actor)} to the assessment of {assessment.assessed_on:%d %b %Y}: "
                               f"{_words(changed)}. Reason: {reason.strip()}")
    return assessment, changed


@service_atomic
def assessment_void(*, actor, assessment, reason: str, now=None):
    assessment = session_services.assessment_void(actor=actor, assessment=assessment, reason=reason, now=now)
    if assessment.plan_id and assessment.stint is None:
        plan = Plan.objects.filter(pk=assessment.plan_id, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED]).first()
        if plan is not None:
            plan_evaluate(plan=plan, actor=actor, trigger=Decision.Trigger.CORRECTION, now=now,
                          note=f"{_who(actor)} voided the assessment of {assessment.assessed_on:%d %b %Y}: "
                               f"{reason.strip()}")
    return assessment


@service_atomic
def technique_rating_void(*, actor, rating, reason: str, now=None):
    rating = session_services.technique_rating_void(actor=actor, rating=rating, reason=reason, now=now)
    _decide_for_session(actor=actor, log=rating.session_log, trigger=Decision.Trigger.CORRECTION, now=now,
                        note=f"{_who(actor)} voided a technique rating of the session of "
                             f"{rating.session_log.date:%d %b %Y}: {reason.strip()}")
    return rating
