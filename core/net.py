"""The client's address, as the deployment's proxies report it.

`TRUSTED_PROXY_COUNT` (default 0) says how many reverse proxies of our own stand in front of the app. Each of
them appends the address it received the request from to `X-Forwarded-For`, so with N proxies the client is the
N-th entry from the right, and everything left of it was written by the client and is not to be trusted.
With 0 (the app faces the network directly, or in development) the header is ignored and REMOTE_ADDR is the
client. A header with fewer entries than proxies, or an entry that is not an address, falls back to
REMOTE_ADDR: rotating a made-up header never gives a caller a fresh identity.

Used for the login lockout (django-axes), the API's throttles and the password-reset throttle.
"""
import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    meta = request.META
    remote = _valid(meta.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104 (a key, not a bind address)
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    entries = [part for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    if len(entries) < count:
        return remote
    return _valid(entries[-count]) or remote
