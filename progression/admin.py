from django.contrib import admin

from .models import Decision, Phase, Plan, Protocol


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("number", "name", "focus", "sessions_per_week_min", "sessions_per_week_max")
    readonly_fields = fields
    can_delete = False


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "version", "organisation", "created_at")
    list_filter = ("organisation", "slug")
    search_fields = ("name", "slug", "description")
    inlines = [PhaseInline]
    readonly_fields = ("definition", "slug", "version", "parent")


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ("protocol", "number", "name", "focus")
    list_filter = ("protocol", "number")
    search_fields = ("name", "focus")


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = ("created_at", "trigger", "outcome", "from_phase", "to_phase", "refer", "status")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("injury", "protocol", "current_phase", "status", "review_pending", "start_date", "clearance_date", "clinician")
    list_filter = ("status", "current_phase", "review_pending", "protocol", "injury__athlete__organisation")
    search_fields = ("injury__athlete__first_name", "injury__athlete__last_name")
    raw_id_fields = ("injury", "clinician")
    inlines = [DecisionInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "plan", "trigger", "outcome", "from_phase", "to_phase", "refer", "status", "decided_by_rule")
    list_filter = ("outcome", "status", "refer", "trigger", "decided_by_rule")
    search_fields = ("plan__injury__athlete__first_name", "plan__injury__athlete__last_name", "review_reason")
    date_hierarchy = "created_at"
    raw_id_fields = ("plan", "session_log", "symptom_report", "assessment", "created_by", "reviewed_by")
