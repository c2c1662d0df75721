"""Imports: each uploaded file (a batch, with its preview), what it wrote (so that a re-import writes nothing twice
and an undo knows what to void), the column mappings clinics save per device, speeds held until their session is
logged, and Vmax updates proposed to the clinician."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from core import clock
from core.jsonsafe import JSONEncoder


class ImportBatch(models.Model):
    class Source(models.TextChoices):
        VALD = "vald", "VALD Hub export (NordBord / ForceFrame)"
        STRENGTH = "strength", "Strength test CSV (saved column mapping)"
        CATAPULT = "catapult", "GPS session summary (Catapult-style)"
        STATSPORTS = "statsports", "GPS session summary (STATSports-style)"
        SPEED = "speed", "GPS session summary (saved column mapping)"
        TRACE = "trace", "Raw speed trace (10 Hz or more)"

    class Status(models.TextChoices):
        PREVIEW = "preview", "Preview: nothing written yet"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed: nothing written"
        UNDONE = "undone", "Undone"

    organisation = models.ForeignKey("athletes.Organisation", on_delete=models.CASCADE, related_name="import_batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=16, choices=Source.choices)
    kind = models.CharField(max_length=16, help_text="strength, speed or trace")
    options = models.JSONField(encoder=JSONEncoder, default=dict, blank=True)
    notes = models.JSONField(encoder=JSONEncoder, default=list, blank=True)
    rows = models.JSONField(encoder=JSONEncoder, default=list, blank=True,
                            help_text="The preview: each line's athlete match, values to write, or reason it is not.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    rows_total = models.PositiveIntegerField(default=0)
    rows_ready = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_0_100")]

    def __str__(self):
        return f"Import {self.file_name} ({self.created_at:%d %b %Y})"

    @property
    def audit_organisation(self):
        return self.organisation

    @property
    def rows_skipped(self) -> int:
        return self.rows_total - self.rows_ready


class ImportedRecord(models.Model):
    """One thing an import wrote: an assessment, a session's measurements, or a pending measurement.

    `key` names the reading (athlete, day, test, values): while a record with the same key is active, another
    import of the same reading writes nothing."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", "Strength assessment"
        MEASUREMENT = "measurement", "Session measurements"
        PENDING = "pending", "Held until the session is logged"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    organisation = models.ForeignKey("athletes.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=300)
    line = models.PositiveIntegerField()
    athlete = models.ForeignKey("athletes.Athlete", on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey("training.Assessment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    session_log = models.ForeignKey("training.SessionLog", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    pending = models.ForeignKey("PendingMeasurement", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    written = models.JSONField(encoder=JSONEncoder, default=dict, blank=True)
    before = models.JSONField(encoder=JSONEncoder, default=dict, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["batch", "line"]
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], condition=Q(active=True),
                                               name="imported_reading_once")]

    def __str__(self):
        return f"{self.get_kind_display()} from line {self.line}"

    @property
    def audit_organisation(self):
        return self.organisation


class ColumnMapping(models.Model):
    """Which column of a device's CSV holds what, saved once per organisation and source."""

    class Kind(models.TextChoices):
        STRENGTH = "strength", "Strength test"
        SPEED = "speed", "GPS session summary"

    organisation = models.ForeignKey("athletes.Organisation", on_delete=models.CASCADE, related_name="column_mappings")
    name = models.CharField("source (device) name", max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    columns = models.JSONField(encoder=JSONEncoder, default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="column_mapping_name_once")]

    def __str__(self):
        return self.name

    @property
    def audit_organisation(self):
        return self.organisation


class PendingMeasurement(models.Model):
    """A session's measured speed from a file, for a day the athlete has not logged yet: applied when they do."""

    organisation = models.ForeignKey("athletes.Organisation", on_delete=models.CASCADE, related_name="+")
    athlete = models.ForeignKey("athletes.Athlete", on_delete=models.CASCADE, related_name="pending_measurements")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="pending")
    date = models.DateField()
    peak_speed_mps = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    efforts_95 = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    applied_to = models.ForeignKey("training.SessionLog", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    problem = models.TextField(blank=True, help_text="Why it could not be applied when the session was logged.")

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["athlete", "date"])]

    def __str__(self):
        return f"Peak speed {self.peak_speed_mps} m/s on {self.date:%d %b %Y}"

    @property
    def audit_organisation(self):
        return self.organisation

    @property
    def is_open(self) -> bool:
        return self.applied_at is None and self.cancelled_at is None


class VmaxProposal(models.Model):
    """A measured speed above the athlete's recorded Vmax: proposed to the clinician, never applied silently."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the clinician"
        ACCEPTED = "accepted", "Accepted: Vmax updated"
        DISMISSED = "dismissed", "Dismissed"

    organisation = models.ForeignKey("athletes.Organisation", on_delete=models.CASCADE, related_name="+")
    athlete = models.ForeignKey("athletes.Athlete", on_delete=models.CASCADE, related_name="vmax_proposals")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="vmax_proposals")
    measured_on = models.DateField()
    speed_mps = models.DecimalField(max_digits=4, decimal_places=2)
    recorded_vmax_mps = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-measured_on", "-id"]

    def __str__(self):
        return f"Vmax {self.speed_mps} m/s measured {self.measured_on:%d %b %Y}"

    @property
    def audit_organisation(self):
        return self.organisation
