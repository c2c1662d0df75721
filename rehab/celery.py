"""The Celery application. Settings come from Django's (CELERY_* names); the beat schedule is here, in code.

Why a schedule in code rather than django-celery-beat: every periodic task is a cheap tick that looks at each
organisation's own time zone and decides for itself whether it is due (09:00 reminders, 18:00 notes, Sunday
18:00 prescriptions, the 03:00 re-evaluation), with dedupe keys so that a repeated or late tick does nothing
twice. The schedule is therefore the same for every clinic and never edited at run time: it belongs in review
and version control, and needs no extra dependency, tables or admin. Run exactly one beat (docker-compose.yml).

Ticks run every 15 minutes, so time zones with :30 and :45 offsets are served on time; each tick expires
before the next one, so a backlog after a worker outage does not run a pile of identical ticks.
"""
import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings.local")

app = Celery("rehab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

QUARTER_HOURLY = crontab(minute="*/15")
TICK_OPTIONS = {"expires": 14 * 60}

app.conf.beat_schedule = {
    # The outbox: whatever is still pending (broker was down, worker died, handler failed) goes out again.
    "outbox-redispatch": {
        "task": "core.redispatch_outbox", "schedule": 60.0, "options": {"expires": 55},
    },
    # 09:00 local: remind athletes of yesterday's unreported sessions; 18:00 local: note to the clinician.
    "morning-reminders": {
        "task": "sessions.morning_reminders", "schedule": QUARTER_HOURLY, "options": TICK_OPTIONS,
    },
    # Decisions awaiting sign-off for more than 24 hours go to the organisation's clinicians.
    "signoff-escalations": {
        "task": "progression.escalate_signoffs", "schedule": QUARTER_HOURLY, "options": TICK_OPTIONS,
    },
    # Sunday from 18:00 local: each coach's next week, with CSV and iCalendar attached.
    "weekly-prescriptions": {
        "task": "progression.weekly_prescriptions", "schedule": QUARTER_HOURLY, "options": TICK_OPTIONS,
    },
    # From 03:00 local, once per local day: re-evaluate every active plan, in batches.
    "nightly-reevaluation": {
        "task": "progression.nightly_reevaluation", "schedule": QUARTER_HOURLY, "options": TICK_OPTIONS,
    },
}
