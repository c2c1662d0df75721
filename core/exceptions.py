"""Errors services raise. Views and the API turn them into plain-word answers."""
from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401  (re-exported)


class NotFound(Exception):
    """The object does not exist or is outside the acting user's scope (shown as 404)."""


class Conflict(Exception):
    """The request conflicts with the current state (a stale form, a reused client id with other data)."""

    def __init__(self, message: str, *, current=None):
        super().__init__(message)
        self.message = message
        self.current = current
