"""The client address behind our own proxies (TRUSTED_PROXY_COUNT), never what the client wrote itself."""
import pytest
from django.test import RequestFactory

from core.net import client_ip


def request(remote="198.51.100.7", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("count, xff, expected", [
    (0, None, "198.51.100.7"),
    (0, "203.0.113.9", "198.51.100.7"),              # no proxy: the header is the client's own words
    (1, "203.0.113.9", "203.0.113.9"),               # one proxy appended the address it saw
    (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),      # the client prepended a fake: ignored
    (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
    (2, "203.0.113.9", "198.51.100.7"),              # fewer entries than proxies: not trusted
    (1, "not-an-address", "198.51.100.7"),
    (1, "", "198.51.100.7"),
    (1, "2001:db8::1", "2001:db8::1"),
])
def test_client_ip(settings, count, xff, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(xff=xff)) == expected


def test_a_missing_remote_addr_still_gives_a_key(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(remote="")) == "0.0.0.0"
