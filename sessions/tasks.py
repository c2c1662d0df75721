"""The next-morning report: a reminder to the athlete at 09:00, a note to the clinician in the evening.

A session logged on day D needs its soreness report on the morning of D + 1 (the athlete's local day, which is
the organisation's time zone). The beat tick runs every 15 minutes; for each organisation it looks at the
sessions of the local yesterday that still have no report:

- from 09:00 local, an email to the athlete with a one-tap link to the report page (an outbox row keyed
  `morning-reminder:<session id>`: once per session, whatever the number of ticks);
- from 18:00 local, an in-app note to the plan's clinician (a Notification keyed `missing-report:<session id>`).

A report sent before the email leaves cancels it: the handler looks again before sending.
"""
import datetime

from celery import shared_task
from django.db import transaction
from django.urls import reverse

from athletes.models import Organisation
from athletes.tasks import clinicians_of_organisations
from core import outbox
from core.models import Notification, OutboxMessage
from core.notifications import absolute_url, notify, send_templated_email
from core.tasks import task_now

from .models import SessionLog, SymptomReport

MORNING_HOUR = 9
EVENING_HOUR = 18




@shared_task(name="sessions.morning_reminders")
def morning_reminders(now=None) -> dict:
    """Beat, every 15 minutes: reminders at 09:00 and clinician notes at 18:00, in each organisation's zone."""
    return queue_morning_reminders(now=task_now(now))


def queue_morning_reminders(*, now: datetime.datetime) -> dict:
    counts = {"reminders": 0, "clinician_notes": 0}
    for organisation in Organisation.objects.filter(is_active=True):
        local = now.astimezone(organisation.tz)
        if local.hour < MORNING_HOUR:
            continue
        yesterday = local.date() - datetime.timedelta(days=1)
        unreported = SessionLog.objects.filter(
            athlete__organisation=organisation, date=yesterday, symptom_report__isnull=True,
        ).order_by("pk")
        counts["reminders"] += _queue_reminders(unreported)
        if local.hour >= EVENING_HOUR:
            counts["clinician_notes"] += _note_clinicians(unreported)
    return counts


def _queue_reminders(unreported) -> int:
    logs = list(unreported.filter(athlete__user__isnull=False, athlete__user__is_active=True)
                .exclude(athlete__user__email="").values_list("pk", flat=True))
    keys = {pk: f"morning-reminder:{pk}" for pk in logs}
    already = set(OutboxMessage.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
    queued = 0
    for pk, key in keys.items():
        if key in already:
            continue
        with transaction.atomic():
            outbox.enqueue("sessions.send_morning_reminder", {"session_log_id": pk}, dedupe_key=key)
        queued += 1
    return queued


def _note_clinicians(unreported) -> int:
    logs = list(
        unreported.filter(plan__status__in=["active", "paused"])  # progression.Plan.Status, read through the FK
        .select_related("athlete", "plan__clinician")
    )
    already = set(
        Notification.objects.filter(dedupe_key__in=[f"missing-report:{log.pk}" for log in logs])
        .values_list("dedupe_key", flat=True)
    )
    noted = 0
    for log in logs:
        key = f"missing-report:{log.pk}"
        if key in already:
            continue
        athlete = log.athlete
        with transaction.atomic():
            notify(
                recipient=log.plan.clinician, kind=Notification.Kind.MISSING_REPORT, plan=log.plan,
                url=reverse("clinic:athlete", args=[athlete.pk]), dedupe_key=key,
                title=f"No next-morning report from {athlete.full_name} for {log.date:%a %d %b}",
                body=(f"{athlete.full_name} logged a session on {log.date:%A %d %B} and has not reported the "
                      "next-morning soreness, although reminded at 09:00. Until it arrives the plan holds "
                      "(missing data)."),
                email=False,
            )
        noted += 1
    return noted


@outbox.handler("sessions.send_morning_reminder")
def send_morning_reminder(payload: dict) -> None:
    """Email the athlete a one-tap link to the report page; nothing if the report has come in meanwhile."""
    log = SessionLog.objects.select_related("athlete__user").filter(pk=payload["session_log_id"]).first()
    if log is None or SymptomReport.objects.filter(session_log=log).exists():
        return
    user = log.athlete.user
    if user is None or not user.is_active or not user.email:
        return
    link = absolute_url(reverse("me:report", args=[log.pk]))
    send_templated_email(
        template="email/morning_reminder",
        subject="How does your thigh feel this morning?",
        to=[user.email],
        context={"athlete": log.athlete, "log": log, "link": link,
                 "scale": [(n, f"{link}?soreness={n}") for n in range(11)]},
    )


@outbox.failure_recipients("sessions.send_morning_reminder")
def _reminder_failed(payload: dict):

    log = SessionLog.objects.select_related("athlete").filter(pk=payload.get("session_log_id")).first()
    return clinicians_of_organisations([log.athlete.organisation_id]) if log is not None else []
