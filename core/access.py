"""Who may see what. Every selector builds its scope from `access_for(user)`.

An athlete sees their own records, a coach the athletes of the teams they coach, a clinician
everything in the organisations where they are a clinician; staff see all. Anything outside
the scope is "not found" (404), never "forbidden", so ids leak nothing.
"""
from dataclasses import dataclass, field

from django.db.models import Q


@dataclass(frozen=True)
class Access:
    user_id: int | None
    is_staff: bool = False
    clinician_org_ids: frozenset = field(default_factory=frozenset)
    coach_org_ids: frozenset = field(default_factory=frozenset)
    athlete_org_ids: frozenset = field(default_factory=frozenset)
    coach_team_ids: frozenset = field(default_factory=frozenset)

    @property
    def is_clinician(self) -> bool:
        return self.is_staff or bool(self.clinician_org_ids)

    @property
    def is_coach(self) -> bool:
        return bool(self.coach_org_ids)

    @property
    def is_athlete(self) -> bool:
        return bool(self.athlete_org_ids)

    @property
    def org_ids(self) -> frozenset:
        return self.clinician_org_ids | self.coach_org_ids | self.athlete_org_ids

    @property
    def primary_role(self) -> str | None:
        if self.is_clinician:
            return "clinician"
        if self.is_coach:
            return "coach"
        if self.is_athlete:
            return "athlete"
        return None

    def athlete_q(self, prefix: str = "") -> Q:
        """A filter on Athlete (or, with a prefix such as "injury__athlete__", on a related model)."""
        if self.user_id is None:
            return Q(pk__in=[])
        if self.is_staff:
            return Q()
        q = Q(**{f"{prefix}user_id": self.user_id})
        if self.clinician_org_ids:
            q |= Q(**{f"{prefix}organisation_id__in": self.clinician_org_ids})
        if self.coach_team_ids:
            q |= Q(**{f"{prefix}team_id__in": self.coach_team_ids})
        return q

    def can_manage_org(self, organisation_id) -> bool:
        return self.is_staff or organisation_id in self.clinician_org_ids


ANONYMOUS = Access(user_id=None)
#: The membership roles (athletes.models.Role's values).
CLINICIAN, COACH, ATHLETE = "clinician", "coach", "athlete"


def access_for(user) -> Access:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_rehab_access", None)
    if cached is not None:
        return cached
    # Memberships and coached teams are read through the user's reverse relations (athletes' Membership.user and
    # Team.coaches), so core imports no domain app. Role values are those of athletes.models.Role.
    roles = {CLINICIAN: set(), COACH: set(), ATHLETE: set()}
    # An inactive organisation (switched off instead of deleted) gives its members no access at all, and a
    # deactivated membership (Membership.is_active, switched off on the clinic's set-up page) none to that one.
    for org_id, role in user.memberships.filter(is_active=True, organisation__is_active=True).values_list(
            "organisation_id", "role"):
        roles[role].add(org_id)
    team_ids = frozenset(
        user.coached_teams.filter(organisation_id__in=roles[COACH]).values_list("id", flat=True)
    ) if roles[COACH] else frozenset()
    access = Access(
        user_id=user.pk,
        is_staff=user.is_staff or user.is_superuser,
        clinician_org_ids=frozenset(roles[CLINICIAN]),
        coach_org_ids=frozenset(roles[COACH]),
        athlete_org_ids=frozenset(roles[ATHLETE]),
        coach_team_ids=team_ids,
    )
    user._rehab_access = access
    return access


def forget_access(user) -> None:
    """Drop the cached access after memberships or teams change."""
    if hasattr(user, "_rehab_access"):
        del user._rehab_access
