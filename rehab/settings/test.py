"""Settings for the test suite: SQLite and eager Celery unless DATABASE_URL / REDIS_URL say otherwise."""
from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks in-process; the tests that exercise the real broker and worker switch this off.
CELERY_TASK_ALWAYS_EAGER = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "1000/min"}}  # noqa: F405
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "test-artifacts" / "media"))  # noqa: F405
SENDFILE_BACKEND = "django_sendfile.backends.simple"
SENDFILE_ROOT = MEDIA_ROOT
