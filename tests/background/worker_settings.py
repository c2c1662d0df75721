"""Settings for the Celery worker that the end-to-end test starts as a subprocess.

The test settings, with the broker really used (no eager mode) and email written to files in the directory the
test names (REHAB_TEST_EMAIL_DIR), so that the test can read what the worker sent.
"""
from rehab.settings.test import *  # noqa: F403
from rehab.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("REHAB_TEST_EMAIL_DIR")
