"""Periodic work on plans and decisions: sign-off escalations, the weekly prescription, the nightly re-evaluation.

Each beat task is a cheap "tick" that runs every 15 minutes, looks at each organisation's local time and
writes outbox rows with a dedupe key naming the thing and the period (`weekly:<org>:<coach>:<year>-W<week>`,
`nightly:<org>:<local date>`, ...). A tick that runs twice, late or on two beats writes nothing more; an outbox
row whose delivery is lost is re-dispatched. Time is UTC in the database and the organisation's zone here.
"""
import datetime
import logging
from urllib.parse import urlsplit

from celery import group, shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from athletes.models import Membership, Organisation, Role
from athletes.tasks import clinicians_of_organisations
from core import outbox
from core.models import Notification
from core.notifications import absolute_url, notify, send_templated_email
from core.tasks import task_now

from . import exports, services
from .clearance_report import clearance_report_create
from .models import Decision, NightlyRun, Plan
from .selectors import week_rows

log = logging.getLogger(__name__)

#: A decision waiting for sign-off longer than this is escalated to the organisation's clinicians.
ESCALATE_AFTER = datetime.timedelta(hours=24)
#: The weekly prescription leaves on Sunday (ISO weekday 7) from this local hour on.
WEEKLY_WEEKDAY, WEEKLY_HOUR = 7, 18
#: The nightly re-evaluation runs once per local day, from this local hour on.
NIGHTLY_HOUR = 3
#: Plans per re-evaluation task.
NIGHTLY_BATCH_SIZE = 100




# --- escalation of overdue sign-offs -------------------------------------------------------------------

@shared_task(name="progression.escalate_signoffs")
def escalate_signoffs(now=None) -> int:
    """Beat: decisions awaiting sign-off for more than 24 hours go to every clinician of the organisation."""
    return escalate_overdue_signoffs(now=task_now(now))


def escalate_overdue_signoffs(*, now: datetime.datetime) -> int:
    due = list(
        Decision.objects.filter(status=Decision.Status.AWAITING_SIGNOFF, plan__status=Plan.Status.ACTIVE,
                                created_at__lte=now - ESCALATE_AFTER)
        .select_related("plan__injury__athlete__organisation", "plan__clinician")
        .order_by("created_at", "id")
    )
    if not due:
        return 0
    done = set(
        Notification.objects.filter(dedupe_key__in=[f"escalation:{d.pk}" for d in due])
        .values_list("recipient_id", "dedupe_key")
    )
    count = 0
    for decision in due:
        plan = decision.plan
        athlete = plan.injury.athlete
        key = f"escalation:{decision.pk}"
        recipients = {plan.clinician_id: plan.clinician}
        clinicians = get_user_model().objects.filter(
            is_active=True, memberships__organisation_id=athlete.organisation_id, memberships__role=Role.CLINICIAN,
            memberships__is_active=True,
        )
        recipients.update({u.pk: u for u in clinicians})
        hours = int((now - decision.created_at).total_seconds() // 3600)
        target = "discharge" if decision.to_phase is None else f"P{decision.to_phase}"
        url = f"{reverse('clinic:athlete', args=[athlete.pk])}#decision-{decision.pk}"
        with transaction.atomic():
            for user in recipients.values():
                if (user.pk, key) in done:
                    continue
                notify(recipient=user, kind=Notification.Kind.ESCALATION, plan=plan, url=url, dedupe_key=key,
                       topic=f"decision:{decision.pk}",
                       title=f"Sign-off overdue: {athlete.full_name} has waited {hours} h to advance to {target}",
                       body=(f"The engine found {athlete.full_name} ready to advance from P{decision.from_phase} to "
                             f"{target} on {decision.decided_on:%d %b %Y}. Nothing changes for the athlete until "
                             f"a clinician signs it off or rejects it. Plan clinician: "
                             f"{plan.clinician.get_full_name() or plan.clinician.username}."),
                       email=True)
                count += 1
    return count


# --- the weekly prescription ---------------------------------------------------------------------------

@shared_task(name="progression.weekly_prescriptions")
def weekly_prescriptions(now=None) -> int:
    """Beat: on Sunday evening in each organisation's zone, queue each coach's email for the coming week."""
    return queue_weekly_prescriptions(now=task_now(now))


def _coaches(organisation):
    return (
        get_user_model().objects.filter(
            is_active=True, memberships__organisation=organisation, memberships__role=Role.COACH,
            memberships__is_active=True, coached_teams__organisation=organisation,
        ).exclude(email="").distinct().order_by("pk")
    )


def queue_weekly_prescriptions(*, now: datetime.datetime) -> int:
    queued = 0
    for organisation in Organisation.objects.filter(is_active=True):
        local = now.astimezone(organisation.tz)
        if local.isoweekday() != WEEKLY_WEEKDAY or local.hour < WEEKLY_HOUR:
            continue
        year, week, _ = (local.date() + datetime.timedelta(days=1)).isocalendar()
        for coach in _coaches(organisation):
            with transaction.atomic():
                outbox.enqueue(
                    "progression.send_weekly_prescription",
                    {"coach_id": coach.pk, "organisation_id": organisation.pk, "iso_year": year, "iso_week": week},
                    dedupe_key=f"weekly:{organisation.pk}:{coach.pk}:{year}-W{week:02d}",
                )
            queued += 1
    return queued


def coach_week_rows(*, coach, organisation, iso_year: int, iso_week: int) -> list:
    """The coach's week page ("all my athletes"), limited to one organisation's athletes."""
    rows = week_rows(user=coach, team_id=None, year=iso_year, week=iso_week)
    return [(plan, rx) for plan, rx in rows if plan.injury.athlete.organisation_id == organisation.pk]


@outbox.handler("progression.send_weekly_prescription")
def send_weekly_prescription(payload: dict) -> None:
    """The coach's next week by email, with the CSV and the iCalendar file attached. Nothing when no athlete."""
    coach = get_user_model().objects.filter(pk=payload["coach_id"], is_active=True).first()
    organisation = Organisation.objects.filter(pk=payload["organisation_id"]).first()
    if coach is None or organisation is None or not coach.email:
        return
    if not Membership.objects.filter(user=coach, organisation=organisation, role=Role.COACH,
                                     is_active=True).exists():
        return
    year, week = int(payload["iso_year"]), int(payload["iso_week"])
    rows = coach_week_rows(coach=coach, organisation=organisation, iso_year=year, iso_week=week)
    if not rows:
        return
    monday = datetime.date.fromisocalendar(year, week, 1)
    name = f"week-{year}-W{week:02d}"
    domain = urlsplit(settings.SITE_URL).hostname or "sprint-rehab.invalid"
    week_url = absolute_url(f"{reverse('coach:week')}?year={year}&week={week}")
    send_templated_email(
        template="email/weekly_prescription",
        subject=f"Week {week}: sprint rehab for {len(rows)} athlete{'s' if len(rows) != 1 else ''}",
        to=[coach.email],
        context={"coach": coach, "organisation": organisation, "rows": rows, "year": year, "week": week,
                 "monday": monday, "sunday": monday + datetime.timedelta(days=6), "week_url": week_url,
                 "text_rows": [{"plan": plan, "rx": rx,
                                "days": [(d, [exports.item_text(i) for i in d.items]) for d in rx.days]}
                               for plan, rx in rows]},
        attachments=[
            (f"{name}.csv", exports.week_csv(rows), "text/csv"),
            (f"{name}.ics", exports.week_ics(rows, domain=domain, calendar_name=f"Sprint rehab, week {week}"),
             "text/calendar"),
        ],
    )


# --- the nightly re-evaluation -------------------------------------------------------------------------

@shared_task(name="progression.nightly_reevaluation")
def nightly_reevaluation(now=None) -> int:
    """Beat: once per local day, from 03:00 in each organisation's zone, re-evaluate its active plans."""
    return queue_nightly_reevaluation(now=task_now(now))


def queue_nightly_reevaluation(*, now: datetime.datetime) -> int:
    queued = 0
    for organisation in Organisation.objects.filter(is_active=True):
        local = now.astimezone(organisation.tz)
        if local.hour < NIGHTLY_HOUR:
            continue
        with transaction.atomic():
            outbox.enqueue("progression.nightly_fan_out", {"organisation_id": organisation.pk,
                                                           "day": local.date().isoformat()},
                           dedupe_key=f"nightly:{organisation.pk}:{local.date().isoformat()}")
        queued += 1
    return queued


@outbox.handler("progression.nightly_fan_out")
def nightly_fan_out(payload: dict) -> None:
    """Split the organisation's active plans into chunks and send them to the workers as a Celery group.

    The run (`NightlyRun`, one per organisation and local day) keeps the chunks and which are done: sending it
    again sends only the chunks not done. If a publish fails the handler fails and the outbox tries again later.
    """
    organisation = Organisation.objects.get(pk=payload["organisation_id"])
    day = datetime.date.fromisoformat(payload["day"]) if payload.get("day") else organisation.today()
    run = NightlyRun.objects.filter(organisation=organisation, day=day).first()
    if run is None:
        ids = list(
            Plan.objects.filter(status=Plan.Status.ACTIVE, injury__athlete__organisation=organisation)
            .order_by("pk").values_list("pk", flat=True)
        )
        chunks = [ids[start:start + NIGHTLY_BATCH_SIZE] for start in range(0, len(ids), NIGHTLY_BATCH_SIZE)]
        run, _ = NightlyRun.objects.get_or_create(organisation=organisation, day=day, defaults={"chunks": chunks})
    pending = [i for i in range(len(run.chunks)) if i not in set(run.done_chunks)]
    if run.finished_at is not None or not pending:
        return
    group(reevaluate_chunk.si(run.pk, i) for i in pending).apply_async(retry=False)


@shared_task(name="progression.reevaluate_chunk", acks_late=True)
def reevaluate_chunk(run_id: int, index: int, now=None) -> dict:
    """One chunk of a nightly run: its plans bulk-loaded and re-evaluated (`plans_reevaluate_nightly`), then the
    chunk marked done with its counts. A chunk already done is skipped."""
    run = NightlyRun.objects.filter(pk=run_id).first()
    if run is None or index in run.done_chunks or index >= len(run.chunks):
        return {"skipped": True}
    now = task_now(now)
    counts = reevaluate_plans(run.chunks[index], now=now)
    with transaction.atomic():
        run = NightlyRun.objects.select_for_update().get(pk=run_id)
        if index not in run.done_chunks:
            run.done_chunks = [*run.done_chunks, index]
            run.recorded += counts["recorded"]
            run.unchanged += counts["unchanged"]
            run.failed += counts["failed"]
            if len(run.done_chunks) == len(run.chunks):
                run.finished_at = now
            run.save()
    log.info("nightly run %s (%s, %s): %s; %s recorded, %s unchanged, %s failed", run.pk, run.organisation_id,
             run.day, run.progress, run.recorded, run.unchanged, run.failed)
    return counts


@shared_task(name="progression.reevaluate_plans", acks_late=True)
def reevaluate_plans(plan_ids: list[int], now=None) -> dict:
    """Re-evaluate a batch of plans: bulk-loaded, decided in memory, written (one transaction and one plan-row
    lock each) only where the outcome changed. A failing plan is logged and skipped; the others go on."""
    def failed(pk, exc):
        log.error("nightly re-evaluation failed for plan %s", pk, exc_info=exc)

    return services.plans_reevaluate_nightly(plan_ids=plan_ids, now=task_now(now), on_error=failed)


@outbox.failure_recipients("progression.send_weekly_prescription")
@outbox.failure_recipients("progression.nightly_fan_out")
def _organisation_message_failed(payload: dict):

    return clinicians_of_organisations([payload.get("organisation_id")])


@outbox.handler("progression.clearance_report")
def make_clearance_report(payload: dict) -> None:
    """The PDF of a signed-off clearance or discharge, stored with its decision (once)."""
    clearance_report_create(decision_id=int(payload["decision_id"]))
