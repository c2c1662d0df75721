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
# A memory cache even when REDIS_URL is set: the lockout and throttle counts of one test must not leak into the
# next, and the Redis database is the broker's. tests/security/test_login_lockout.py runs a lockout on Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rehab-tests"}}
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
