"""Protocols (versioned data), plans that follow them, the decisions the engine takes on them, and calendar feeds."""
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from athletes.models import MAX_PAST_YEARS, local_today, years_before
from core import clock
from core.jsonsafe import JSONEncoder

#: Phase numbers a protocol may use: 0 .. MAX_PHASE (a protocol of any shape, up to twenty phases; the engine's
#: validator holds the same bound).
MAX_PHASE = 19


class Protocol(models.Model):
    """A protocol version. `definition` is the engine's plain-data protocol; Phase rows mirror it for queries.

    A version that a plan uses is immutable: editing it makes a new version (services enforce this).
    """

    organisation = models.ForeignKey(
        "athletes.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="protocols",
        help_text="Empty for the built-in protocols every organisation can use.",
    )
    slug = models.SlugField(max_length=80)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    definition = models.JSONField(encoder=JSONEncoder)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="protocol_unique_slug_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="protocol_version_positive"),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def audit_organisation(self):
        return self.organisation

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None


class Phase(models.Model):
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_PHASE)])
    name = models.CharField(max_length=200)
    focus = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    sessions_per_week_min = models.PositiveSmallIntegerField(default=2)
    sessions_per_week_max = models.PositiveSmallIntegerField(default=3)
    exit_criteria = models.JSONField(encoder=JSONEncoder, default=dict)
    prescription = models.JSONField(encoder=JSONEncoder, default=dict)

    class Meta:
        ordering = ["protocol", "number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="phase_unique_number"),
            models.CheckConstraint(condition=Q(number__lte=MAX_PHASE), name="phase_number_in_range"),
        ]

    def __str__(self):
        return f"P{self.number} {self.name}"


class Plan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    injury = models.ForeignKey("athletes.Injury", on_delete=models.CASCADE, related_name="plans")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="plans")
    current_phase = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(MAX_PHASE)])
    stint = models.PositiveIntegerField(
        default=1, help_text="The current stint's number. Sessions and assessments entered during it carry no "
        "number until it closes; closing it stamps them with this number and starts the next.",
    )
    stint_started_at = models.DateTimeField(
        default=clock.now,
        help_text="Start of the current stint: the last phase change, regression or override. The engine reads the sessions logged since.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField(default=local_today)
    clearance_date = models.DateField(null=True, blank=True, help_text="Return-to-sport clearance (the advance from P5).")
    completed_on = models.DateField(null=True, blank=True)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_plans")
    baseline_weekly_load = models.DecimalField(
        "pre-injury weekly load (AU)", max_digits=7, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50000)],
        help_text="Sum of RPE x minutes over a typical pre-injury week. Optional.",
    )
    advance_requires_signoff = models.BooleanField(
        default=True, help_text="Advances wait for a clinician's sign-off. Clearance from P5 and discharge always do.",
    )
    review_pending = models.BooleanField(
        default=False, help_text="Set by a red flag: the plan makes no further progress until a clinician reviews it.",
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change: a stale form is refused.")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(current_phase__lte=MAX_PHASE), name="plan_phase_in_range"),
            models.CheckConstraint(condition=Q(status__in=["active", "paused", "completed"]), name="plan_status_valid"),
            models.CheckConstraint(
                condition=Q(baseline_weekly_load__isnull=True) | Q(baseline_weekly_load__gte=1),
                name="plan_baseline_positive",
            ),
            models.UniqueConstraint(
                fields=["injury"], condition=Q(status__in=["active", "paused"]), name="plan_one_open_per_injury"
            ),
        ]

    def __str__(self):
        return f"Plan for {self.injury.athlete} (P{self.current_phase})"

    @property
    def audit_organisation(self):
        return self.injury.athlete.organisation

    @property
    def athlete(self):
        return self.injury.athlete

    def clean(self):
        if self.protocol_id and self.protocol.organisation_id not in (None, self.injury.athlete.organisation_id):
            raise ValidationError({"protocol": "This protocol belongs to another organisation."})
        if self.injury_id and self.start_date and self.start_date < self.injury.date_of_injury:
            raise ValidationError({"start_date": "A plan cannot start before the injury it follows."})
        if self.injury_id and self.start_date:

            # The organisation's local day when the plan was created: the window does not move afterwards.
            created_on = self.injury.athlete.organisation.today(self.created_at)
            if self.start_date > created_on:
                raise ValidationError({"start_date": "A plan cannot start after today: start it on the day."})
            if self.start_date < years_before(created_on, MAX_PAST_YEARS):
                raise ValidationError({"start_date": f"A plan cannot start more than {MAX_PAST_YEARS} years ago."})


class Decision(models.Model):
    class Trigger(models.TextChoices):
        SESSION_LOG = "session_log", "Session logged"
        SYMPTOM_REPORT = "symptom_report", "Next-morning report"
        ASSESSMENT = "assessment", "Assessment"
        MEASUREMENT = "measurement", "Session measurements"
        TECHNIQUE = "technique", "Technique rating"
        CORRECTION = "correction", "Correction"
        SETTINGS = "settings", "Plan settings changed"
        SIGN_OFF = "sign_off", "Re-checked at sign-off"
        MANUAL = "manual", "Manual re-evaluation"
        NIGHTLY = "nightly", "Nightly re-evaluation"

    class Outcome(models.TextChoices):
        ADVANCE = "advance", "Advance"
        HOLD = "hold", "Hold"
        REGRESS = "regress", "Regress"

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        AWAITING_SIGNOFF = "awaiting_signoff", "Awaiting sign-off"
        SIGNED_OFF = "signed_off", "Signed off"
        REJECTED = "rejected", "Rejected"
        OVERRIDDEN = "overridden", "Overridden"
        SUPERSEDED = "superseded", "Superseded"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="decisions")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    trigger_note = models.TextField(blank=True, help_text="What arrived, in words: a correction and its reason, "
                                    "a late warning sign for a session of an earlier stint.")
    late = models.BooleanField(default=False, help_text="A late warning sign: rules 1-2 on a session of an earlier "
                               "stint (PROTOCOL.md, \"The stint\").")
    session_log = models.ForeignKey("training.SessionLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    symptom_report = models.ForeignKey("training.SymptomReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    assessment = models.ForeignKey("training.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    protocol_slug = models.SlugField(max_length=80)
    protocol_version = models.PositiveIntegerField()
    decided_on = models.DateField(help_text="The day of the decision, in the athlete's time zone.")
    inputs = models.JSONField(encoder=JSONEncoder, help_text="The stint and context the engine read.")
    reasons = models.JSONField(encoder=JSONEncoder, help_text="Every rule checked, with its status, values and source.")
    recommendations = models.JSONField(encoder=JSONEncoder, default=list)
    warnings = models.JSONField(encoder=JSONEncoder, default=list, help_text="Soft warnings (time floors, load): they never gate.")
    decided_by_rule = models.CharField(max_length=64)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    from_phase = models.PositiveSmallIntegerField()
    to_phase = models.PositiveSmallIntegerField(null=True, blank=True)
    refer = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(default=clock.now, editable=False, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True, help_text="Why it was rejected or overridden.")
    override_to_phase = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["plan", "-created_at"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=Q(from_phase__lte=MAX_PHASE), name="decision_from_phase_in_range"),
            models.CheckConstraint(condition=Q(to_phase__isnull=True) | Q(to_phase__lte=MAX_PHASE),
                                   name="decision_to_phase_in_range"),
            models.CheckConstraint(
                condition=Q(override_to_phase__isnull=True) | Q(override_to_phase__lte=MAX_PHASE),
                name="decision_override_phase_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="overridden") | ~Q(review_reason=""), name="decision_override_needs_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(review_reason=""), name="decision_reject_needs_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} P{self.from_phase}→{'discharge' if self.to_phase is None else f'P{self.to_phase}'}"

    @property
    def audit_organisation(self):
        return self.plan.injury.athlete.organisation


class PlanNote(models.Model):
    """The plan's conversation: clinician, coach and athlete leave notes, visible to the three of them only."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_role = models.CharField(max_length=16)
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="plannote_not_empty")]

    def __str__(self):
        return f"Note by {self.author} on {self.created_at:%Y-%m-%d}"

    @property
    def audit_organisation(self):
        return self.plan.injury.athlete.organisation


def clearance_report_path(instance, filename: str) -> str:
    """Health data: under MEDIA_ROOT, never served as /media/ (downloaded through clinic:clearance_report)."""
    return f"clearance-reports/{instance.decision.plan_id}/{instance.decision_id}-{instance.kind}.pdf"


class ClearanceReport(models.Model):
    """The return-to-sport clearance report (a PDF) of a signed-off clearance or discharge, stored with its decision.

    Made by the outbox after the sign-off commits (progression/clearance_report.py), so a sign-off never fails
    because of the PDF."""

    class Kind(models.TextChoices):
        CLEARANCE = "clearance", "Return-to-sport clearance"
        DISCHARGE = "discharge", "Discharge"

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="clearance_report")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to=clearance_report_path, max_length=200)
    pages = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} report for decision {self.decision_id}"

    @property
    def audit_organisation(self):
        return self.decision.plan.injury.athlete.organisation


def new_feed_secret() -> str:
    """An unguessable URL token (256 bits): the calendar feed's only credential."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private, revocable calendar subscription URL: /calendar/<secret>.ics, served without login.

    The feed shows what its owner may see now (core.access at every fetch): a coach who loses a team loses it from
    the feed too. Revoking stamps `revoked_at`; the URL then answers 404 for good.
    """

    class Scope(models.TextChoices):
        COACH = "coach", "All my teams"
        TEAM = "team", "One team"
        ATHLETE = "athlete", "One athlete"

    secret = models.CharField(max_length=64, unique=True, default=new_feed_secret, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    scope = models.CharField(max_length=8, choices=Scope.choices)
    team = models.ForeignKey("athletes.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    athlete = models.ForeignKey("athletes.Athlete", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=["coach", "team", "athlete"]), name="calendarfeed_scope_valid"),
            models.CheckConstraint(
                condition=(Q(scope="coach", team__isnull=True, athlete__isnull=True)
                           | Q(scope="team", team__isnull=False, athlete__isnull=True)
                           | Q(scope="athlete", team__isnull=True, athlete__isnull=False)),
                name="calendarfeed_scope_target",
            ),
        ]

    def __str__(self):
        return f"Calendar feed ({self.get_scope_display()}) of {self.owner}"

    @property
    def audit_organisation(self):
        if self.athlete_id:
            return self.athlete.organisation
        if self.team_id:
            return self.team.organisation
        return None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CalendarEvent(models.Model):
    """What a feed last served for one plan and day: the UID stays, SEQUENCE goes up when the prescription changes.

    `fingerprint` is a hash of the prescription as served (phase, items, doses, target speeds, warnings); a fetch
    that computes a different one bumps `sequence` and records the reason. Days before today are served from the
    stored `summary`/`description` as they were, so a later advance does not rewrite the past.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="calendar_events")
    date = models.DateField()
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    description = models.TextField()
    reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["plan", "date"]
        constraints = [models.UniqueConstraint(fields=["plan", "date"], name="calendarevent_one_per_plan_day")]

    def __str__(self):
        return f"{self.date} plan {self.plan_id} (sequence {self.sequence})"


class NightlyRun(models.Model):
    """One organisation's nightly re-evaluation of one local day: its chunks of plans and how far it got.

    The fan-out creates it with the chunks (plan ids) once; each chunk task marks its chunk done with its counts.
    Sending the run again (an outbox retry, a worker lost) sends only the chunks not done yet, and a chunk that
    arrives twice is skipped: the run resumes where it stopped.
    """
    organisation = models.ForeignKey("athletes.Organisation", on_delete=models.CASCADE, related_name="nightly_runs")
    day = models.DateField(help_text="The organisation's local day of the run.")
    chunks = models.JSONField(default=list, help_text="The plan ids of each chunk, in order.")
    done_chunks = models.JSONField(default=list, help_text="The indexes of the chunks done.")
    recorded = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="nightly_run_once_per_day")]

    def __str__(self):
        return f"Nightly run {self.day} ({self.progress})"

    @property
    def plans_total(self) -> int:
        return sum(len(c) for c in self.chunks)

    @property
    def progress(self) -> str:
        return f"{len(self.done_chunks)}/{len(self.chunks)} chunks"
