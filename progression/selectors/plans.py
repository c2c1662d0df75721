"""Reads of protocols, plans and decisions, scoped to the acting user."""
from django.db.models import OuterRef, Q, QuerySet, Subquery

from core.access import access_for
from core.exceptions import NotFound

from ..engine_io import engine_protocol
from ..models import Decision, Plan, Protocol


def protocol_list(*, user) -> QuerySet[Protocol]:
    """Built-in protocols and those of the user's organisations."""
    access = access_for(user)
    if not access.user_id:
        return Protocol.objects.none()
    if access.is_staff:
        return Protocol.objects.all()
    return Protocol.objects.filter(Q(organisation__isnull=True) | Q(organisation_id__in=access.org_ids))


def protocol_get(*, user, pk) -> Protocol:
    try:
        return protocol_list(user=user).get(pk=pk)
    except (Protocol.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such protocol.") from None


def protocol_latest(*, slug: str) -> Protocol | None:
    return Protocol.objects.filter(slug=slug).order_by("-version").first()


def protocol_edit_slug(*, protocol: Protocol, organisation) -> str:
    """The slug a new version made from `protocol` goes to: its own, or for a built-in protocol the organisation's
    copy of it."""
    if protocol.organisation_id is None:
        return f"{protocol.slug}-{organisation.slug}"
    return protocol.slug


def protocol_edit_base(*, protocol: Protocol, organisation) -> int:
    """The newest version number of the slug a new version of `protocol` would go to (0 if it has none yet).

    An editor carries this number (the base version) from the page it rendered to the save: if a newer version was
    saved in between, the save is refused instead of silently leaving out that version's change.
    """
    if protocol.organisation_id is None and organisation is None:
        return 0
    latest = protocol_latest(slug=protocol_edit_slug(protocol=protocol, organisation=organisation))
    return latest.version if latest else 0


def plan_list(*, user, athlete_id=None, status=None, team_id=None) -> QuerySet[Plan]:
    access = access_for(user)
    qs = Plan.objects.filter(access.athlete_q("injury__athlete__")).select_related(
        "injury__athlete__team", "protocol", "clinician"
    )
    if athlete_id:
        qs = qs.filter(injury__athlete_id=athlete_id)
    if status:
        qs = qs.filter(status=status)
    if team_id:
        qs = qs.filter(injury__athlete__team_id=team_id)
    return qs


#: What a decision summary shows (the API's DecisionBrief): no inputs, no reasons (the large columns).
DECISION_SUMMARY_FIELDS = ("id", "plan_id", "outcome", "status", "from_phase", "to_phase", "refer", "decided_on",
                           "decided_by_rule", "created_at")


def plans_attach_latest_decisions(plans) -> None:
    """Give each plan of a page its latest decision's summary, as `plan.latest_decisions` (a list of 0 or 1), in
    one query: an index lookup per plan of the page (decision (plan, -created_at)), whatever the number of
    decisions, and none of the large columns."""
    plans = list(plans)
    if not plans:
        return
    newest = Decision.objects.filter(plan=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    latest_ids = Plan.objects.filter(pk__in=[p.pk for p in plans]).annotate(latest=Subquery(newest)).values("latest")
    by_plan = {d.plan_id: d for d in Decision.objects.filter(pk__in=latest_ids).only(*DECISION_SUMMARY_FIELDS)}
    for plan in plans:
        decision = by_plan.get(plan.pk)
        plan.latest_decisions = [decision] if decision is not None else []


def plan_get(*, user, pk) -> Plan:
    try:
        return plan_list(user=user).get(pk=pk)
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such plan.") from None


def plan_open_for_athlete(*, athlete) -> Plan | None:
    """The athlete's active or paused plan (there is at most one per injury; the newest wins)."""
    return (
        Plan.objects.filter(injury__athlete=athlete, status__in=[Plan.Status.ACTIVE, Plan.Status.PAUSED])
        .select_related("protocol", "injury")
        .order_by("-created_at")
        .first()
    )


def plan_latest_for_athlete(*, athlete) -> Plan | None:
    """The plan the athlete page shows: the open one, else the most recent (a completed, discharged plan)."""
    return plan_open_for_athlete(athlete=athlete) or (
        Plan.objects.filter(injury__athlete=athlete).select_related("protocol", "injury").order_by("-created_at").first()
    )


def decision_list(*, user, plan_id=None, status=None) -> QuerySet[Decision]:
    access = access_for(user)
    qs = Decision.objects.filter(access.athlete_q("plan__injury__athlete__")).select_related(
        "plan__injury__athlete", "reviewed_by"
    )
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def decision_get(*, user, pk) -> Decision:
    try:
        return decision_list(user=user).get(pk=pk)
    except (Decision.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such decision.") from None


def decision_latest(*, plan) -> Decision | None:
    return plan.decisions.order_by("-created_at", "-id").first()


def plan_phase_track(plan) -> dict:
    """The phases of the plan's own protocol (any number), as the pages draw them: each with its name and whether
    the plan has passed it, is in it, or has it ahead."""
    protocol = engine_protocol(plan.protocol)
    current = plan.current_phase
    done_all = plan.status == Plan.Status.COMPLETED
    phases = [{"number": ph.number, "name": ph.name,
               "state": "done" if done_all or ph.number < current else "now" if ph.number == current else ""}
              for ph in protocol.phases]
    return {"phases": phases, "first": phases[0]["number"], "last": phases[-1]["number"], "current": current}
