"""The import endpoints: upload (a preview), read, confirm, undo. Clinicians only; an import of another
organisation is a 404. Thin views: selectors read, services write."""
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from athletes import selectors as athlete_selectors
from core.api_base import (
    FIELD_ERRORS,
    ApiMixin,
    ApiPagination,
    ConflictSerializer,
    ErrorSerializer,
    IsClinician,
    SafeJSONParser,
    parse_pk,
)
from core.exceptions import NotFound

from .. import selectors, services
from ..models import ImportBatch
from .serializers import ImportBatchDetailOutput, ImportBatchOutput, ImportUploadInput, ReasonInput


def _import_body_limit() -> int:
    return services.max_bytes() * 4 // 3 + 64 * 1024  # base64 of the largest file, and the other fields


class ImportJSONParser(BaseParser):
    """The API's safe JSON parsing with room for a device file. Not a JSONParser subclass on purpose: DRF reads
    those through `request.body`, capped by DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) with a 500-prone error; this one
    reads the stream and stops one byte past its own limit."""

    media_type = "application/json"
    max_bytes = staticmethod(_import_body_limit)

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return SafeJSONParser.parse(self, stream, media_type, parser_context)
        except ParseError as exc:
            if "larger than" in str(exc.detail):
                raise ParseError(f"The file is larger than the {services.size_words(services.max_bytes())} limit. "
                                 "Export a shorter period, or split the file.") from None
            raise


UPLOAD_EXAMPLE = OpenApiExample("A VALD NordBord export", request_only=True, value={
    "file_name": "nordbord-march.csv", "source": "auto",
    "content_base64": "TmFtZSxEYXRlIFVUQyxUaW1lIFVUQyxEZXZpY2UsVGVzdCxMIE1heCBGb3JjZSAoTiksUiBNYXggRm9yY2UgKE4pCkFsZXggUnVubmVyLDEwLzAzLzIwMjUsMDk6MTU6MDAsTm9yZEJvcmQsTm9yZGljLDMwMCw0MDAK"})


@extend_schema_view(
    list=extend_schema(summary="List imports (clinicians)"),
    retrieve=extend_schema(summary="An import with its preview lines", responses={200: ImportBatchDetailOutput,
                                                                               404: ErrorSerializer}),
)
@extend_schema(tags=["imports"])
class ImportViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Strength tests (VALD NordBord / ForceFrame, other dynamometers through a saved column mapping) and speeds
    (GPS session summaries, raw speed traces) from device files: upload for a preview, then confirm."""

    permission_classes = (IsClinician,)
    parser_classes = (ImportJSONParser,)
    serializer_class = ImportBatchOutput
    pagination_class = ApiPagination

    def get_queryset(self):
        return selectors.import_batch_list(user=self.request.user)

    def retrieve(self, request, pk):
        batch = selectors.import_batch_get(user=request.user, pk=parse_pk(pk, "import"))
        return Response(ImportBatchDetailOutput(batch).data)

    @extend_schema(summary="Upload a device file: its preview (nothing is written yet)", request=ImportUploadInput,
                   responses={201: ImportBatchDetailOutput, 400: FIELD_ERRORS}, examples=[UPLOAD_EXAMPLE])
    def create(self, request):
        data = ImportUploadInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        organisation = athlete_selectors.managed_organisations(user=request.user).first()
        if organisation is None:
            raise NotFound("No organisation of yours to import into.")
        batch = services.import_preview(
            actor=request.user, organisation=organisation, file_name=fields["file_name"],
            data=fields["content_base64"], source=fields["source"], mapping=fields.get("mapping"),
            unit=fields["unit"], date_order=fields["date_order"], athlete=fields.get("athlete"),
            session_date=fields.get("session_date"), efforts_are_95=fields["efforts_are_95"])
        return Response(ImportBatchDetailOutput(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Confirm an import: every ready line in one transaction, or nothing", request=None,
                   responses={200: ImportBatchOutput, 202: ImportBatchOutput, 400: FIELD_ERRORS,
                              404: ErrorSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk):
        batch = selectors.import_batch_get(user=request.user, pk=parse_pk(pk, "import"))
        batch = services.import_confirm_start(actor=request.user, batch=batch)
        batch.refresh_from_db()
        code = status.HTTP_200_OK if batch.status == ImportBatch.Status.DONE else status.HTTP_202_ACCEPTED
        return Response(ImportBatchOutput(batch).data, status=code)

    @extend_schema(summary="Undo an import (a correction; the plans are re-evaluated)", request=ReasonInput,
                   responses={200: ImportBatchOutput, 400: FIELD_ERRORS, 404: ErrorSerializer,
                              409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request, pk):
        batch = selectors.import_batch_get(user=request.user, pk=parse_pk(pk, "import"))
        body = ReasonInput(data=request.data)
        body.is_valid(raise_exception=True)
        batch, _ = services.import_undo(actor=request.user, batch=batch, reason=body.validated_data["reason"])
        return Response(ImportBatchOutput(batch).data)
