"""Fixtures for the security tests: the API clients of tests/api."""
from tests.api.conftest import api_for  # noqa: F401 (a fixture, shared)
