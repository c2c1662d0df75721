"""Read-only admin for what is measured: changes go through the app's services (see core/admin_base.py)."""
from django.contrib import admin

from core.admin_base import ReadOnlyModelAdmin, ReadOnlyStackedInline

from .models import Assessment, SessionLog, SymptomReport, TechniqueRating


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyModelAdmin):
    list_display = ("injury", "assessed_on", "clinician", "pain_palpation", "strength_method", "strength_lsi", "h_test_insecurity")
    list_filter = ("strength_method", "assessed_on", "injury__athlete__organisation")
    search_fields = ("injury__athlete__first_name", "injury__athlete__last_name", "notes")
    date_hierarchy = "assessed_on"
    raw_id_fields = ("injury", "clinician")


class SymptomReportInline(ReadOnlyStackedInline):
    model = SymptomReport
    raw_id_fields = ("reported_by",)


@admin.register(SessionLog)
class SessionLogAdmin(ReadOnlyModelAdmin):
    list_display = ("athlete", "date", "phase", "pain_during", "rpe", "minutes", "strength_lsi", "technique", "red_flag")
    list_filter = ("red_flag", "full_session", "phase", "athlete__organisation", "date")
    search_fields = ("athlete__first_name", "athlete__last_name", "client_id", "notes")
    date_hierarchy = "date"
    raw_id_fields = ("athlete", "plan", "logged_by")
    inlines = [SymptomReportInline]


@admin.register(SymptomReport)
class SymptomReportAdmin(ReadOnlyModelAdmin):
    list_display = ("session_log", "soreness_24h", "sleep_quality", "fatigue", "reported_at")
    list_filter = ("soreness_24h", "reported_at")
    search_fields = ("session_log__athlete__first_name", "session_log__athlete__last_name", "client_id")
    raw_id_fields = ("session_log", "reported_by")


@admin.register(TechniqueRating)
class TechniqueRatingAdmin(ReadOnlyModelAdmin):
    list_display = ("session_log", "kind", "score", "fresh_pct", "fatigued_pct", "rated_by", "rated_at")
    list_filter = ("kind",)
    raw_id_fields = ("session_log", "rated_by")
    exclude = ("video",)  # served only through technique_video, to the athlete's care team
