"""API-wide pieces: the exception handler that turns service errors into plain 400/404/409 answers."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import NotFound as DRFNotFound
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import Conflict, NotFound


def validation_error_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotFound):
        exc = DRFNotFound(str(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = DRFPermissionDenied(str(exc) or None)
    elif isinstance(exc, Conflict):
        return Response({"detail": exc.message, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
