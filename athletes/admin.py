"""Admin for organisations, memberships and teams (audited), athletes and injuries (read-only: clinical records
change only through the app's services; see core/admin_base.py)."""
from django.contrib import admin

from core.admin_base import AuditedAdminMixin, ReadOnlyInline, ReadOnlyModelAdmin
from core.audit import audit_record

from .models import Athlete, Injury, Membership, Organisation, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Organisations are never deleted (their audit trail names them): deactivate one instead."""

    list_display = ("name", "slug", "time_zone", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Deactivate the selected organisations (members lose access; records stay)")
    def deactivate(self, request, queryset):
        for organisation in queryset.filter(is_active=True):
            organisation.is_active = False
            organisation.save(update_fields=["is_active"])
            audit_record(actor=request.user, action="admin.deactivate", target=organisation,
                         before={"is_active": True}, after={"is_active": False})


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", "organisation")
    search_fields = ("user__username", "user__email", "organisation__name")
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "organisation")
    list_filter = ("organisation",)
    search_fields = ("name",)
    filter_horizontal = ("coaches",)


class InjuryInline(ReadOnlyInline):
    model = Injury
    fields = ("date_of_injury", "side", "muscle", "bamic_grade", "bamic_site", "mechanism")


@admin.register(Athlete)
class AthleteAdmin(ReadOnlyModelAdmin):
    list_display = ("full_name", "organisation", "team", "sport", "position", "vmax_mps")
    list_filter = ("organisation", "team", "sport", "dominant_leg")
    search_fields = ("first_name", "last_name", "sport", "position", "user__username")
    raw_id_fields = ("user",)
    inlines = [InjuryInline]


@admin.register(Injury)
class InjuryAdmin(ReadOnlyModelAdmin):
    list_display = ("athlete", "date_of_injury", "side", "muscle", "bamic_grade", "bamic_site", "mechanism")
    list_filter = ("bamic_grade", "bamic_site", "muscle", "mechanism", "side", "athlete__organisation")
    search_fields = ("athlete__first_name", "athlete__last_name", "notes")
    date_hierarchy = "date_of_injury"
    raw_id_fields = ("athlete",)
