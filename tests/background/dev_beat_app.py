"""The project's Celery app with a beat schedule of one entry that is due at once (every half second): what
tests/background/test_dev_scheduler.py starts the way `dev.py run` starts rehab's."""
from rehab.celery import app

app.conf.beat_schedule = {
    "escalate-now": {"task": "progression.escalate_signoffs", "schedule": 0.5},
}

__all__ = ["app"]
