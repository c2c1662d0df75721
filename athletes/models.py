"""Organisations, who belongs to them and in which role, teams, athletes and their injuries."""
import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core import clock
from core.jsonsafe import JSONEncoder
from core.validation import validate_name


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"“{value}” is not a time zone name such as Europe/London.") from None


def local_today() -> datetime.date:
    """Only a fallback for model defaults: services set the organisation's local date (`Organisation.today`)."""
    return clock.utc_today()


# Plausible dates: an injury (and a plan) within the last five years; an athlete aged 8 to 100.
MAX_PAST_YEARS = 5
MIN_AGE_YEARS, MAX_AGE_YEARS = 8, 100


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (28 February for a 29 February that year has not)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    COACH = "coach", "Coach"
    ATHLETE = "athlete", "Athlete"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    is_active = models.BooleanField(
        "active", default=True,
        help_text="Switch off instead of deleting: its members lose access, its records and audit trail stay. "
                  "An organisation that audit events name cannot be deleted.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def audit_organisation(self):
        return self

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self, now=None) -> datetime.date:
        """The organisation's local date: "today" for dates people enter (not the server's UTC date)."""
        return clock.local_today(self.tz, now)


class Membership(models.Model):
    """A user's role in an organisation. Access to every record follows from these rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    is_active = models.BooleanField(
        "active", default=True,
        help_text="Switched off by a clinician of the organisation: the user keeps the login but sees none of this "
                  "organisation's data (core.access ignores the membership). The row and its audit trail stay.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_one_role_per_org"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"

    @property
    def audit_organisation(self):
        return self.organisation


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    coaches = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="coached_teams")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name_per_org")]

    def __str__(self):
        return self.name

    @property
    def audit_organisation(self):
        return self.organisation


class Leg(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


class Athlete(models.Model):
    class VmaxSource(models.TextChoices):
        GPS = "gps", "GPS peak (pre-injury)"
        TIMING_GATES = "timing_gates", "Flying sprint, timing gates"
        RADAR = "radar", "Radar / laser"
        ESTIMATE = "estimate", "Estimate"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="athletes")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="athletes")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="athlete_profile",
        help_text="The athlete's own login, for the phone pages.",
    )
    first_name = models.CharField(max_length=100, validators=[validate_name])
    last_name = models.CharField(max_length=100, validators=[validate_name])
    date_of_birth = models.DateField(null=True, blank=True)
    sport = models.CharField(max_length=100, blank=True)
    position = models.CharField(max_length=100, blank=True)
    dominant_leg = models.CharField(max_length=5, choices=Leg.choices, blank=True)
    vmax_mps = models.DecimalField(
        "maximal velocity (m/s)", max_digits=4, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(3), MaxValueValidator(13)],
        help_text="Pre-injury GPS peak or best flying-sprint speed, in metres per second.",
    )
    external_id = models.CharField(
        "external id", max_length=100, blank=True,
        help_text="The athlete's id in the clinic's devices (VALD Hub, GPS): imports match on it before the name.",
    )
    vmax_source = models.CharField(max_length=16, choices=VmaxSource.choices, blank=True)
    vmax_date = models.DateField(null=True, blank=True)
    training_days = models.JSONField(encoder=JSONEncoder,
        default=list, blank=True,
        help_text="ISO weekdays (1 = Monday ... 7 = Sunday) the athlete trains; empty = the phase's default days.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When a clinician anonymised the athlete: names, contact details and free text replaced, login removed.",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vmax_mps__isnull=True) | Q(vmax_mps__gte=3, vmax_mps__lte=13),
                name="athlete_vmax_range",
            ),
            models.CheckConstraint(
                condition=Q(dominant_leg__in=["", "left", "right"]), name="athlete_dominant_leg_valid"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def audit_organisation(self):
        return self.organisation

    def clean(self):
        if self.team_id and self.team.organisation_id != self.organisation_id:
            raise ValidationError({"team": "This team belongs to another organisation."})
        today = self.organisation.today() if self.organisation_id else local_today()
        if self.date_of_birth and self.date_of_birth > today:
            raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})
        if self.date_of_birth and not (years_before(today, MAX_AGE_YEARS) <= self.date_of_birth
                                       <= years_before(today, MIN_AGE_YEARS)):
            raise ValidationError({"date_of_birth": f"Check the date of birth: athletes here are {MIN_AGE_YEARS} to "
                                                    f"{MAX_AGE_YEARS} years old."})
        if self.vmax_date and self.vmax_date > today:
            raise ValidationError({"vmax_date": "The date of the maximal velocity cannot be in the future."})
        if self.vmax_date and self.vmax_date < years_before(today, 2 * MAX_PAST_YEARS):
            raise ValidationError({"vmax_date": f"The maximal velocity is more than {2 * MAX_PAST_YEARS} years old: "
                                                "measure it again, or check the year."})
        days = self.training_days or []
        if not isinstance(days, list) or any(not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 7 for d in days):
            raise ValidationError({"training_days": "Training days are weekday numbers from 1 (Monday) to 7 (Sunday)."})
        if len(set(days)) != len(days):
            raise ValidationError({"training_days": "Each training day may appear only once."})


class Injury(models.Model):
    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"

    class Muscle(models.TextChoices):
        BFLH = "bflh", "Biceps femoris, long head"
        BFSH = "bfsh", "Biceps femoris, short head"
        ST = "st", "Semitendinosus"
        SM = "sm", "Semimembranosus"
        UNKNOWN = "unknown", "Unknown"

    class Site(models.TextChoices):
        A = "a", "a — myofascial"
        B = "b", "b — musculotendinous junction"
        C = "c", "c — intratendinous"

    class Mechanism(models.TextChoices):
        SPRINT = "sprint", "Sprint-type"
        STRETCH = "stretch", "Stretch-type"
        OTHER = "other", "Other"

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="injuries")
    side = models.CharField(max_length=5, choices=Side.choices)
    muscle = models.CharField(max_length=8, choices=Muscle.choices, default=Muscle.UNKNOWN)
    bamic_grade = models.PositiveSmallIntegerField(
        "BAMIC grade", validators=[MinValueValidator(0), MaxValueValidator(4)],
        help_text="British Athletics Muscle Injury Classification, 0 to 4.",
    )
    bamic_site = models.CharField("BAMIC site", max_length=1, choices=Site.choices, blank=True)
    mechanism = models.CharField(max_length=8, choices=Mechanism.choices, default=Mechanism.SPRINT)
    date_of_injury = models.DateField()
    notes = models.TextField(blank=True)
    recorded_on = models.DateField(default=local_today, editable=False,
                                   help_text="The day the injury was entered; it cannot predate the injury.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_of_injury", "-id"]
        verbose_name_plural = "injuries"
        constraints = [
            models.CheckConstraint(condition=Q(bamic_grade__gte=0, bamic_grade__lte=4), name="injury_grade_0_4"),
            models.CheckConstraint(condition=Q(bamic_site__in=["", "a", "b", "c"]), name="injury_site_valid"),
            models.CheckConstraint(condition=Q(side__in=["left", "right"]), name="injury_side_valid"),
            models.CheckConstraint(
                condition=Q(muscle__in=["bflh", "bfsh", "st", "sm", "unknown"]), name="injury_muscle_valid"
            ),
            models.CheckConstraint(
                condition=Q(mechanism__in=["sprint", "stretch", "other"]), name="injury_mechanism_valid"
            ),
            models.CheckConstraint(
                condition=Q(date_of_injury__lte=F("recorded_on")), name="injury_not_in_future"
            ),
        ]

    def __str__(self):
        return f"{self.get_side_display()} {self.get_muscle_display()}, grade {self.grade_label} ({self.date_of_injury:%d %b %Y})"

    @property
    def grade_label(self) -> str:
        return f"{self.bamic_grade}{self.bamic_site}"

    @property
    def audit_organisation(self):
        return self.athlete.organisation

    def clean(self):
        recorded_on = self.recorded_on or local_today()
        if self.date_of_injury and self.date_of_injury > recorded_on:
            raise ValidationError({"date_of_injury": "The date of injury cannot be in the future."})
        if self.date_of_injury and self.date_of_injury < years_before(recorded_on, MAX_PAST_YEARS):
            raise ValidationError({"date_of_injury": f"The date of injury is more than {MAX_PAST_YEARS} years ago: "
                                                     "check the year."})
