"""The benchmark's settings: production, plus the benchmark's own URLconf (a floor view) and a round-trip counter.

Used only by benchmarks/http_bench.py (gunicorn runs with DJANGO_SETTINGS_MODULE=benchmarks.settings); nothing in
the product imports it.
"""
from rehab.settings.production import *  # noqa: F403
from rehab.settings.production import MIDDLEWARE

ROOT_URLCONF = "benchmarks.urls"
# First: the counter sees every statement of the request, the session and auth lookups included.
MIDDLEWARE = ["benchmarks.middleware.QueryCountMiddleware", *MIDDLEWARE]
