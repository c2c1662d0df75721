import base64
import binascii

from rest_framework import serializers

from athletes import selectors as athlete_selectors
from core.api_base import ScopedPrimaryKeyRelatedField

from .. import selectors, services
from ..models import ImportBatch

#: The choice sets named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (the schema's enum names).
UPLOAD_SOURCES = [("auto", "Detect from the columns"), ("vald", "VALD Hub export"), ("catapult", "Catapult-style"),
                  ("statsports", "STATSports-style"), ("trace", "Raw speed trace")]
LINE_STATUSES = [("ready", "Will be written"), ("skip", "Not written")]


class ImportUploadInput(serializers.Serializer):
    file_name = serializers.CharField(max_length=255, help_text="The file's name, as recorded with the import.")
    content_base64 = serializers.CharField(
        help_text="The file's bytes, base64-encoded (any encoding the file has: UTF-8, UTF-16, Latin-1).",
        trim_whitespace=False)
    source = serializers.ChoiceField(choices=UPLOAD_SOURCES, default="auto")
    mapping = ScopedPrimaryKeyRelatedField(selector=selectors.column_mapping_list, what="column mapping",
                                           required=False, allow_null=True)
    unit = serializers.ChoiceField(choices=["auto", "mps", "kmh"], default="auto")
    date_order = serializers.ChoiceField(choices=["dmy", "mdy"], default="dmy")
    efforts_are_95 = serializers.BooleanField(default=False, help_text="The summary's efforts column counts efforts "
                                                                       "at >= 95 % of each athlete's Vmax.")
    athlete = ScopedPrimaryKeyRelatedField(selector=athlete_selectors.athlete_list, what="athlete", required=False,
                                           allow_null=True, help_text="For a raw speed trace: whose session.")
    session_date = serializers.DateField(required=False, allow_null=True, help_text="For a raw speed trace.")

    def validate_content_base64(self, value):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Not valid base64.") from None


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class ImportRowOutput(serializers.Serializer):
    line = serializers.IntegerField()
    status = serializers.ChoiceField(choices=LINE_STATUSES)
    reason = serializers.CharField(help_text="Why the line will not be written (empty when it will).")
    name = serializers.CharField(help_text="The athlete as the file names them.")
    external_id = serializers.CharField()
    athlete_id = serializers.IntegerField(required=False, allow_null=True)
    athlete = serializers.CharField(required=False, help_text="The matched athlete.")
    match = serializers.CharField(required=False, help_text="How the athlete was matched (external id, name).")
    date = serializers.CharField(required=False)
    target = serializers.ChoiceField(choices=["assessment", "measurement", "pending"])
    shown = serializers.DictField(help_text="The values read and worked out (LSI, % of Vmax, efforts, ...).")
    write = serializers.DictField(required=False, help_text="What will be written.")


class ImportBatchOutput(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    rows_skipped = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = ["id", "organisation", "file_name", "sha256", "size_bytes", "source", "kind", "status", "rows_total",
                  "rows_ready", "rows_skipped", "rows_written", "progress", "error", "notes", "created_by",
                  "created_at", "confirmed_by", "confirmed_at", "undone_by", "undone_at", "undo_reason"]
        read_only_fields = fields

    def get_progress(self, obj) -> int:
        return services.progress_of(obj)


class ImportBatchDetailOutput(ImportBatchOutput):
    rows = ImportRowOutput(many=True, read_only=True)

    class Meta(ImportBatchOutput.Meta):
        fields = [*ImportBatchOutput.Meta.fields, "rows"]
        read_only_fields = fields
