"""Production: everything from the environment, secure by default (passes `manage.py check --deploy`)."""
from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Persistent connections: Django reads CONN_MAX_AGE only inside DATABASES (a top-level CONN_MAX_AGE is ignored, and
# every request then opens a new PostgreSQL connection: about 80 % of a small request's cost). The health check
# drops a connection the server closed before the request uses it. CONN_MAX_AGE=0 turns persistence off.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
# PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: the roster's query (a subquery per
# column) is estimated expensive and spent about 480 of 560 ms compiling at 500 athletes (82 ms with JIT off). Short
# OLTP queries never repay the compilation. DATABASE_JIT=on gives it back.
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql") and not env.bool(  # noqa: F405
        "DATABASE_JIT", default=False):
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

# Behind a reverse proxy: how many hops to trust in X-Forwarded-For (the login lockout and the API's throttles key
# on the client address, core/net.py). docker-compose.yml's nginx is one: TRUSTED_PROXY_COUNT=1 there.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": TRUSTED_PROXY_COUNT}  # noqa: F405

# Technique videos leave through the web server (X-Accel-Redirect), not a Python loop: see SECURITY.md for the
# nginx location. Set SENDFILE_BACKEND=django_sendfile.backends.xsendfile for Apache's mod_xsendfile.
SENDFILE_BACKEND = env("SENDFILE_BACKEND", default="django_sendfile.backends.nginx")

# Production runs several gunicorn workers: the lockout and throttle counts must be in Redis (CACHE_URL or
# REDIS_URL). Without it django-axes' own check (axes.W001) fails `check --deploy`.
SILENCED_SYSTEM_CHECKS = []
