"""An athlete's audit trail (issue 12 point 6): read-only, for the clinicians of the athlete's organisation."""
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from athletes import selectors as athlete_selectors
from progression import selectors as plan_selectors

from ...pages import role_required
from ..audit_trail import describe, references

PER_PAGE = 50


@role_required("clinician")
@require_safe
def athlete_audit(request, pk):
    athlete = athlete_selectors.managed_athlete_get(user=request.user, pk=pk)
    kinds = [(key, label) for key, label, _ in plan_selectors.AUDIT_KINDS]
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(kinds) else ""
    page = Paginator(plan_selectors.audit_trail(athlete=athlete, kind=kind), PER_PAGE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    lookups = plan_selectors.audit_lookups(events, references=references(events))
    return render(request, "clinic/audit_trail.html", {
        "athlete": athlete, "page": page, "entries": describe(events, lookups, athlete.organisation.tz),
        "kinds": kinds, "kind": kind,
    })
