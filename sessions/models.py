"""What is measured: clinical assessments, logged sessions and next-morning symptom reports.

Ranges are enforced twice: by validators (forms, serializers, `full_clean`) and by CheckConstraints.
The field names and ranges are those of PROTOCOL.md, "Inputs per logged session".
"""
import datetime
import uuid
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from athletes.models import local_today
from core import clock
from core.jsonsafe import JSONEncoder

from . import uploads

MAX_BACKDATE_DAYS = 365


def _range(lo, hi):
    return [MinValueValidator(lo), MaxValueValidator(hi)]


def _between(field, lo, hi, *, nullable=True):
    cond = Q(**{f"{field}__gte": lo, f"{field}__lte": hi})
    if nullable:
        cond |= Q(**{f"{field}__isnull": True})
    return cond


class StrengthMethod(models.TextChoices):
    ISO_90_90 = "iso_90_90", "Isometric 90/90 (dynamometer)"
    ISO_0_30 = "iso_0_30", "Isometric 0/30 (dynamometer)"
    NORDIC = "nordic", "Nordic (force frame)"
    CUSTOM = "custom", "Other hamstring test (custom)"


def exact_lsi(injured, uninjured) -> Decimal | None:
    """Limb symmetry index as computed: injured / uninjured x 100, unrounded (what the engine compares).

    359.8 N / 400 N is 89.95, which does not meet 90 (PROTOCOL.md: numbers are compared as computed).
    """
    if injured is None or uninjured in (None, 0):
        return None
    return Decimal(str(injured)) / Decimal(str(uninjured)) * 100


def compute_lsi(injured, uninjured) -> Decimal | None:
    """The LSI as pages show it: to one decimal, rounded down, so that a shown value never meets a threshold
    the exact one misses (89.95 shows as 89.9, not 90.0). The engine reads `exact_lsi`."""
    value = exact_lsi(injured, uninjured)
    return None if value is None else value.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


def exact_speed_pct(speed_mps, vmax_mps) -> Decimal | None:
    """A measured speed as % of the athlete's maximal velocity, unrounded."""
    if speed_mps is None or vmax_mps in (None, 0):
        return None
    return Decimal(str(speed_mps)) / Decimal(str(vmax_mps)) * 100


class Correctable(models.Model):
    """A clinical record that is corrected or voided, never deleted: the audit trail keeps the old values.

    A voided record stays in the database (and on the pages, struck through) but the engine, the charts and
    the workload series no longer read it.
    """

    corrected_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", editable=False)
    void_reason = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class Assessment(Correctable):
    injury = models.ForeignKey("athletes.Injury", on_delete=models.CASCADE, related_name="assessments")
    plan = models.ForeignKey(
        "progression.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments",
        editable=False, help_text="The injury's plan when the assessment was entered (a plan adopts earlier ones).",
    )
    stint = models.PositiveIntegerField(
        null=True, blank=True, editable=False,
        help_text="The plan's stint this assessment belongs to; empty while that is the current stint.",
    )
    assessed_on = models.DateField(default=local_today)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    pain_palpation = models.PositiveSmallIntegerField(
        "pain on palpation (0-10)", null=True, blank=True, validators=_range(0, 10),
        help_text="Required on the clinician's form; empty for a strength test imported from a device file.",
    )
    ake_deficit_deg = models.DecimalField(
        "active knee extension deficit (°)", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=_range(0, 90),
    )
    pslr_injured_deg = models.DecimalField(
        "passive straight-leg raise, injured (°)", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=_range(0, 150),
    )
    pslr_uninjured_deg = models.DecimalField(
        "passive straight-leg raise, uninjured (°)", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=_range(0, 150),
    )
    strength_method = models.CharField(max_length=16, choices=StrengthMethod.choices, blank=True)
    strength_injured_n = models.DecimalField(
        "strength, injured leg (N)", max_digits=6, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(5000)],
    )
    strength_uninjured_n = models.DecimalField(
        "strength, uninjured leg (N)", max_digits=6, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(5000)],
    )
    strength_lsi = models.DecimalField(
        "limb symmetry index (%)", max_digits=4, decimal_places=1, null=True, blank=True, editable=False,
        validators=_range(0, 200),
    )
    h_test_insecurity = models.DecimalField(
        "H-test insecurity (0-100)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 100)
    )
    technique_pct = models.DecimalField(
        "technique checklist (%)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 100)
    )
    notes = models.TextField(blank=True)
    recorded_on = models.DateField(default=local_today, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=_between("pain_palpation", 0, 10), name="assessment_pain_0_10"),
            models.CheckConstraint(condition=_between("ake_deficit_deg", 0, 90), name="assessment_ake_0_90"),
            models.CheckConstraint(condition=_between("pslr_injured_deg", 0, 150), name="assessment_pslr_inj_range"),
            models.CheckConstraint(condition=_between("pslr_uninjured_deg", 0, 150), name="assessment_pslr_uninj_range"),
            models.CheckConstraint(
                condition=Q(strength_injured_n__isnull=True) | Q(strength_injured_n__gt=0, strength_injured_n__lte=5000),
                name="assessment_strength_inj_range",
            ),
            models.CheckConstraint(
                condition=Q(strength_uninjured_n__isnull=True) | Q(strength_uninjured_n__gt=0, strength_uninjured_n__lte=5000),
                name="assessment_strength_uninj_range",
            ),
            models.CheckConstraint(condition=_between("strength_lsi", 0, 200), name="assessment_lsi_0_200"),
            models.CheckConstraint(condition=_between("h_test_insecurity", 0, 100), name="assessment_htest_0_100"),
            models.CheckConstraint(condition=_between("technique_pct", 0, 100), name="assessment_technique_0_100"),
            models.CheckConstraint(
                condition=Q(strength_injured_n__isnull=True, strength_uninjured_n__isnull=True)
                | Q(strength_injured_n__isnull=False, strength_uninjured_n__isnull=False) & ~Q(strength_method=""),
                name="assessment_strength_both_legs_and_method",
            ),
            models.CheckConstraint(condition=Q(assessed_on__lte=F("recorded_on")), name="assessment_not_in_future"),
        ]

    def __str__(self):
        return f"Assessment {self.assessed_on:%d %b %Y}"

    @property
    def exact_lsi(self) -> Decimal | None:
        return exact_lsi(self.strength_injured_n, self.strength_uninjured_n)

    @property
    def audit_organisation(self):
        return self.injury.athlete.organisation

    def clean(self):
        errors = {}
        if self.assessed_on and self.assessed_on > (self.recorded_on or local_today()):
            errors["assessed_on"] = "The assessment date cannot be in the future."
        both = (self.strength_injured_n is None, self.strength_uninjured_n is None)
        if both == (True, False):
            errors["strength_injured_n"] = "Enter the injured leg's strength too: the LSI needs both legs."
        elif both == (False, True):
            errors["strength_uninjured_n"] = "Enter the uninjured leg's strength too: the LSI needs both legs."
        elif both == (False, False) and not self.strength_method:
            errors["strength_method"] = "Say how strength was tested: readings are only compared within one method."
        if self.injury_id and self.assessed_on and self.assessed_on < self.injury.date_of_injury:
            errors["assessed_on"] = "The assessment cannot be before the date of injury."
        if errors:
            raise ValidationError(errors)
        self.strength_lsi = compute_lsi(self.strength_injured_n, self.strength_uninjured_n)
        if self.strength_lsi is not None and self.exact_lsi > 200:
            raise ValidationError({"strength_injured_n": "The injured leg reads more than twice the uninjured one: check the values."})


class SessionLog(Correctable):
    """One training session, as the athlete (or a coach or clinician for them) logged it, with what staff
    measured in it (technique, peak speed, efforts, a full team session, an H-test)."""

    athlete = models.ForeignKey("athletes.Athlete", on_delete=models.CASCADE, related_name="session_logs")
    plan = models.ForeignKey("progression.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="session_logs")
    stint = models.PositiveIntegerField(
        null=True, blank=True, editable=False,
        help_text="The plan's stint this session belongs to; empty while that is the current stint. A stint "
                  "closes (a regression, an advance, an override) after everything entered before it.",
    )
    date = models.DateField(default=local_today)
    phase = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The plan's phase when the session was logged.")
    pain_during = models.PositiveSmallIntegerField("worst pain during (0-10)", validators=_range(0, 10))
    rpe = models.DecimalField("session RPE (0-10)", max_digits=3, decimal_places=1, validators=_range(0, 10))
    minutes = models.PositiveIntegerField("minutes", validators=_range(0, 600))
    reps_done = models.PositiveSmallIntegerField("reps done", null=True, blank=True, validators=_range(0, 500))
    strength_lsi = models.DecimalField(
        "strength LSI (%)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 200)
    )
    strength_method = models.CharField(max_length=16, choices=StrengthMethod.choices, blank=True)
    technique = models.DecimalField(
        "technique (% correct)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 100)
    )
    technique_fresh = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 100))
    technique_fatigued = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 100))
    peak_speed_pct = models.DecimalField(
        "peak speed (% of Vmax)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 120)
    )
    peak_speed_mps = models.DecimalField(
        "peak speed (m/s)", max_digits=4, decimal_places=2, null=True, blank=True, validators=_range(0, 15),
        help_text="The measured speed, when it was entered in m/s or km/h (GPS, timing gates).",
    )
    peak_speed_vmax_mps = models.DecimalField(
        "Vmax used (m/s)", max_digits=4, decimal_places=2, null=True, blank=True, editable=False,
        help_text="The athlete's Vmax the measured speed was converted with.",
    )
    efforts_95 = models.PositiveSmallIntegerField("efforts at ≥ 95% Vmax", null=True, blank=True, validators=_range(0, 100))
    full_session = models.BooleanField("full team / race-pace session", default=False)
    red_flag = models.BooleanField(
        "sharp pain, a pop, forced to stop or new bruising", default=False,
    )
    apprehension = models.DecimalField(
        "apprehension, H-test (0-100)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 100)
    )
    notes = models.TextField(blank=True)
    client_id = models.UUIDField(default=uuid.uuid4, unique=True, help_text="Generated by the client: a retry sends the same id.")
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    logged_at = models.DateTimeField(default=clock.now, db_index=True)
    recorded_on = models.DateField(default=local_today, editable=False)

    class Meta:
        ordering = ["-date", "-logged_at", "-id"]
        indexes = [models.Index(fields=["athlete", "date"]), models.Index(fields=["plan", "logged_at"])]
        constraints = [
            models.CheckConstraint(condition=_between("pain_during", 0, 10, nullable=False), name="session_pain_0_10"),
            models.CheckConstraint(condition=_between("rpe", 0, 10, nullable=False), name="session_rpe_0_10"),
            models.CheckConstraint(condition=_between("minutes", 0, 600, nullable=False), name="session_minutes_0_600"),
            models.CheckConstraint(condition=_between("reps_done", 0, 500), name="session_reps_0_500"),
            models.CheckConstraint(condition=_between("strength_lsi", 0, 200), name="session_lsi_0_200"),
            models.CheckConstraint(condition=_between("technique", 0, 100), name="session_technique_0_100"),
            models.CheckConstraint(condition=_between("technique_fresh", 0, 100), name="session_tech_fresh_0_100"),
            models.CheckConstraint(condition=_between("technique_fatigued", 0, 100), name="session_tech_fatigued_0_100"),
            models.CheckConstraint(condition=_between("peak_speed_pct", 0, 120), name="session_peak_speed_0_120"),
            models.CheckConstraint(condition=_between("peak_speed_mps", 0, 15), name="session_peak_speed_mps_0_15"),
            models.CheckConstraint(condition=_between("efforts_95", 0, 100), name="session_efforts_0_100"),
            models.CheckConstraint(condition=_between("apprehension", 0, 100), name="session_apprehension_0_100"),
            models.CheckConstraint(condition=_between("phase", 0, 19), name="session_phase_in_range"),
            models.CheckConstraint(condition=Q(date__lte=F("recorded_on")), name="session_not_in_future"),
        ]

    def __str__(self):
        return f"Session {self.date:%d %b %Y}"

    @property
    def audit_organisation(self):
        return self.athlete.organisation

    @property
    def load(self) -> Decimal:
        """Foster's session load: RPE x minutes (arbitrary units)."""
        return Decimal(self.rpe) * self.minutes

    @property
    def exact_peak_speed_pct(self) -> Decimal | None:
        """Peak speed as % of Vmax as computed from the measured speed (unrounded), else as entered."""
        computed = exact_speed_pct(self.peak_speed_mps, self.peak_speed_vmax_mps)
        return computed if computed is not None else self.peak_speed_pct

    def clean(self):
        recorded_on = self.recorded_on or local_today()
        if self.date and self.date > recorded_on:
            raise ValidationError({"date": "A session cannot be logged for a day that has not come yet."})
        if self.date and self.date < recorded_on - datetime.timedelta(days=MAX_BACKDATE_DAYS):
            raise ValidationError({"date": f"A session can be logged up to {MAX_BACKDATE_DAYS} days after it took place."})
        if self.date and self.plan_id and self.date < self.plan.injury.date_of_injury:
            raise ValidationError({"date": "This session is dated before the injury its plan follows."})
        if self.strength_lsi is not None and not self.strength_method:
            raise ValidationError({"strength_method": "Say how strength was tested: readings are only compared within one method."})


class SymptomReport(Correctable):
    """The next-morning report for a session: soreness in the injured thigh, with sleep and fatigue beside it."""

    session_log = models.OneToOneField(SessionLog, on_delete=models.CASCADE, related_name="symptom_report")
    soreness_24h = models.PositiveSmallIntegerField("next-morning soreness (0-10)", validators=_range(0, 10))
    sleep_quality = models.PositiveSmallIntegerField("sleep quality (1-5)", null=True, blank=True, validators=_range(1, 5))
    fatigue = models.PositiveSmallIntegerField("fatigue (1-5)", null=True, blank=True, validators=_range(1, 5))
    notes = models.TextField(blank=True)
    client_id = models.UUIDField(default=uuid.uuid4, unique=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_between("soreness_24h", 0, 10, nullable=False), name="symptom_soreness_0_10"),
            models.CheckConstraint(condition=_between("sleep_quality", 1, 5), name="symptom_sleep_1_5"),
            models.CheckConstraint(condition=_between("fatigue", 1, 5), name="symptom_fatigue_1_5"),
        ]

    def __str__(self):
        return f"Soreness {self.soreness_24h} after {self.session_log}"

    @property
    def audit_organisation(self):
        return self.session_log.athlete.organisation


def validate_video_size(file):
    from django.conf import settings

    if file and file.size > settings.VIDEO_MAX_BYTES:
        raise ValidationError(f"The video is {file.size / 1e6:.0f} MB; the limit is {settings.VIDEO_MAX_BYTES / 1e6:.0f} MB. "
                              "Trim it, or paste a link instead.")


class TechniqueRating(Correctable):
    """A coach's rating of a session's technique: the checklist ticked, fresh and fatigued reps, and a video."""

    class Kind(models.TextChoices):
        DRILL = "drill", "Drill checklist (P1-P3)"
        SMAS = "smas", "S-MAS, 12 items (P4 on)"

    session_log = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="technique_ratings")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    items_correct = models.JSONField(encoder=JSONEncoder, default=list, blank=True, help_text="Codes of the checklist items performed correctly.")
    score = models.DecimalField(max_digits=4, decimal_places=1, validators=_range(0, 100))
    fresh_pct = models.DecimalField("first reps (%)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 100))
    fatigued_pct = models.DecimalField("last reps (%)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_range(0, 100))
    video = models.FileField(upload_to=uploads.technique_video_path, blank=True,
                             validators=[validate_video_size, uploads.validate_video_file])
    video_url = models.URLField("video link", blank=True, max_length=500)
    notes = models.TextField(blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_between("score", 0, 100, nullable=False), name="rating_score_0_100"),
            models.CheckConstraint(condition=_between("fresh_pct", 0, 100), name="rating_fresh_0_100"),
            models.CheckConstraint(condition=_between("fatigued_pct", 0, 100), name="rating_fatigued_0_100"),
            models.CheckConstraint(condition=Q(kind__in=["drill", "smas"]), name="rating_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.score}%"

    @property
    def audit_organisation(self):
        return self.session_log.athlete.organisation
