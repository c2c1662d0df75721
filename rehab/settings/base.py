"""Settings shared by every mode. Everything that differs between machines comes from the environment.

Embedded default (no environment at all): SQLite file, Celery eager, email to the console.
Production / CI: DATABASE_URL, REDIS_URL (or CELERY_BROKER_URL), SECRET_KEY, ALLOWED_HOSTS, EMAIL_URL.
"""
import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-embedded-default-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "core",
    "athletes",
    "sessions.apps.TrainingConfig",
    "progression",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static files keep their long cache: every other answer is no-store (core.middleware).
    "core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    # Last: turns a login refused by the lockout into the lockout page (core.security.lockout_response).
    "axes.middleware.AxesMiddleware",
]

# The lockout backend comes first: it refuses a locked-out username + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "rehab.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "rehab.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers at once (the dev server's threads, the scheduler's process, a double tap on a phone) must
    # wait for each other, not fail with "database is locked" (Django 5.2 docs, SQLite notes):
    # - WAL: readers do not block the writer nor the writer the readers (kept in the file once set);
    # - a busy timeout: a writer waits up to SQLITE_TIMEOUT seconds for the write lock;
    # - BEGIN IMMEDIATE: a transaction takes the write lock when it starts. A deferred one that has read and then
    #   writes cannot wait (SQLite refuses the lock upgrade at once, whatever the timeout), which was the 500.
    # Options given in DATABASE_URL (?timeout=...) win.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_TIMEOUT", default=20),
        **DATABASES["default"].get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))

# Content-Security-Policy (django-csp), on every page: scripts, styles, images and fonts from this origin only;
# no inline script, no inline style, no eval, no plugins, no framing, forms post here only. Templates keep to it
# (tests/security/test_templates_csp.py); a view that serves something else sets its own (technique videos:
# "sandbox").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page of ours uses are switched off for every page (core.middleware).
PERMISSIONS_POLICY = ("accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), fullscreen=(self)")
# Answers that carry health data must not be kept by a browser or a proxy: every answer that passes through Django
# gets Cache-Control: no-store, private, except these path prefixes (static files are served before it anyway).
CACHE_CONTROL_EXEMPT_PREFIXES = ["/healthz", "/static/"]

# The shared cache: login lockouts, the API's throttles and the password-reset throttle count here, so every
# gunicorn worker sees the same counts. Redis in production (CACHE_URL, else REDIS_URL); without Redis (the
# embedded single-process mode) a per-process memory cache, which is only right for one process.
CACHE_URL = env("CACHE_URL", default=env("REDIS_URL", default=""))
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="rehab"), "TIMEOUT": 300}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rehab"}}
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]  # one process: its memory is the shared cache

# Login lockout (django-axes) on every login that goes through django.contrib.auth.authenticate: the web login,
# the admin login and the API's token endpoint. LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address lock that pair out for LOGIN_LOCKOUT_MINUTES; attempts during the lockout do not extend it.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False  # the cache handler keeps no rows to show; failures and lockouts are audit events
AXES_VERBOSE = False  # our own log lines and audit rows say what happened (core.security)

# Password reset emails: at most this many per account and per client address in an hour (web.common.forms). The
# answer is the same whether or not an email was sent.
PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = env.int("PASSWORD_RESET_PER_ACCOUNT_PER_HOUR", default=3)
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=10)

# Sessions. Anyone who sees other people's health data (clinicians, coaches, staff) is logged out after
# CLINICIAN_IDLE_TIMEOUT_HOURS without a request (core.middleware). An athlete, who sees only their own record on
# their own phone, keeps a session for SESSION_COOKIE_AGE (14 days from login) with no idle timeout.
CLINICIAN_IDLE_TIMEOUT = datetime.timedelta(hours=env.float("CLINICIAN_IDLE_TIMEOUT_HOURS", default=8))
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Email: EMAIL_URL (smtp://user:pass@host:587, consolemail://, filemail:///path, ...).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Sprint Rehab <no-reply@rehab.local>")

# Celery: a Redis broker when REDIS_URL / CELERY_BROKER_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not (REDIS_URL or env("CELERY_BROKER_URL", default="")))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish must fail fast when the broker is down: the outbox re-sends later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_TIMEZONE = "UTC"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "core.api_auth.ThrottledTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_RATES": {"auth": "20/min"},
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}

# Personal API tokens (django-rest-knox): stored as a SHA-512 digest, shown once, expiring after
# API_TOKEN_TTL_DAYS (90); revoked on a password change and by "log out everywhere" (core.security).
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90)),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
# How many reverse proxies of our own stand in front of the app (each appends to X-Forwarded-For). 0: the
# client is REMOTE_ADDR and X-Forwarded-For is ignored. See core/net.py.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

SPECTACULAR_SETTINGS = {
    "TITLE": "Sprint Rehab API",
    "DESCRIPTION": "Return-to-sprint rehabilitation after hamstring strain.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and its docs answer logged-in users only (issue 10, finding 9).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": ["core.api_auth.ThrottledTokenAuthentication",
                             "rest_framework.authentication.SessionAuthentication"],
    # Choice sets named once: two different "status" sets (plans, decisions), one set under two field names
    # (dominant_leg, side).
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "progression.models.Plan.Status",
        "DecisionStatusEnum": "progression.models.Decision.Status",
        "LegEnum": "athletes.models.Leg",
        "ImportStatusEnum": "imports.models.ImportBatch.Status",
        "ImportSourceEnum": "imports.models.ImportBatch.Source",
        "ImportUploadSourceEnum": "imports.api.serializers.UPLOAD_SOURCES",
        "ImportLineStatusEnum": "imports.api.serializers.LINE_STATUSES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

APP_NAME = "Sprint Rehab"
# Uploaded technique videos: the largest accepted file, in bytes.
VIDEO_MAX_BYTES = env.int("VIDEO_MAX_BYTES", default=50 * 1024 * 1024)
# Device imports (imports/): the largest file accepted, and above how many lines a confirm runs in the background.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10_000_000)
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=500)
# Who sends a video's bytes once the app has checked access (django-sendfile2). "simple" streams them from
# Python (development, tests); production hands them to the web server: "django_sendfile.backends.nginx"
# (X-Accel-Redirect to SENDFILE_URL, an `internal` location) or "django_sendfile.backends.xsendfile" (Apache).
SENDFILE_BACKEND = env("SENDFILE_BACKEND", default="django_sendfile.backends.simple")
SENDFILE_ROOT = MEDIA_ROOT
SENDFILE_URL = env("SENDFILE_URL", default="/protected-media")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# An SMTP server that hangs must not hold a worker (and the outbox row's lock) forever: the send fails and the
# outbox tries again later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Limits on what people send: API JSON bodies larger than this many bytes, or JSON (API bodies, the protocol
# editor, scenario files) nested deeper than MAX_JSON_DEPTH levels, are refused with a 400.
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=1024 * 1024)
MAX_JSON_DEPTH = env.int("MAX_JSON_DEPTH", default=64)
