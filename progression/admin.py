"""Read-only admin for protocols, plans, decisions and notes: they change only through the app's services
(versioned protocols, locked plans, decisions with reasons); see core/admin_base.py."""
from django.contrib import admin

from core.admin_base import ReadOnlyInline, ReadOnlyModelAdmin

from .models import Decision, Phase, Plan, PlanNote, Protocol


class PhaseInline(ReadOnlyInline):
    model = Phase
    fields = ("number", "name", "focus", "sessions_per_week_min", "sessions_per_week_max")
    show_change_link = False


@admin.register(Protocol)
class ProtocolAdmin(ReadOnlyModelAdmin):
    list_display = ("name", "slug", "version", "organisation", "created_at")
    list_filter = ("organisation", "slug")
    search_fields = ("name", "slug", "description")
    inlines = [PhaseInline]


@admin.register(Phase)
class PhaseAdmin(ReadOnlyModelAdmin):
    list_display = ("protocol", "number", "name", "focus")
    list_filter = ("protocol", "number")
    search_fields = ("name", "focus")


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ("created_at", "trigger", "outcome", "from_phase", "to_phase", "refer", "status")


@admin.register(Plan)
class PlanAdmin(ReadOnlyModelAdmin):
    list_display = ("injury", "protocol", "current_phase", "status", "review_pending", "start_date", "clearance_date", "clinician")
    list_filter = ("status", "current_phase", "review_pending", "protocol", "injury__athlete__organisation")
    search_fields = ("injury__athlete__first_name", "injury__athlete__last_name")
    raw_id_fields = ("injury", "clinician")
    inlines = [DecisionInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "plan", "trigger", "outcome", "from_phase", "to_phase", "refer", "status", "decided_by_rule")
    list_filter = ("outcome", "status", "refer", "trigger", "decided_by_rule")
    search_fields = ("plan__injury__athlete__first_name", "plan__injury__athlete__last_name", "review_reason")
    date_hierarchy = "created_at"
    raw_id_fields = ("plan", "session_log", "symptom_report", "assessment", "created_by", "reviewed_by")


@admin.register(PlanNote)
class PlanNoteAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "plan", "author", "author_role")
    list_filter = ("author_role",)
    raw_id_fields = ("plan", "author")
