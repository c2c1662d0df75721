from django.contrib import admin

from .models import Athlete, Injury, Membership, Organisation, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", "organisation")
    search_fields = ("user__username", "user__email", "organisation__name")
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")
    list_filter = ("organisation",)
    search_fields = ("name",)
    filter_horizontal = ("coaches",)


class InjuryInline(admin.TabularInline):
    model = Injury
    extra = 0
    fields = ("date_of_injury", "side", "muscle", "bamic_grade", "bamic_site", "mechanism")


@admin.register(Athlete)
class AthleteAdmin(admin.ModelAdmin):
    list_display = ("full_name", "organisation", "team", "sport", "position", "vmax_mps")
    list_filter = ("organisation", "team", "sport", "dominant_leg")
    search_fields = ("first_name", "last_name", "sport", "position", "user__username")
    raw_id_fields = ("user",)
    inlines = [InjuryInline]


@admin.register(Injury)
class InjuryAdmin(admin.ModelAdmin):
    list_display = ("athlete", "date_of_injury", "side", "muscle", "bamic_grade", "bamic_site", "mechanism")
    list_filter = ("bamic_grade", "bamic_site", "muscle", "mechanism", "side", "athlete__organisation")
    search_fields = ("athlete__first_name", "athlete__last_name", "notes")
    date_hierarchy = "date_of_injury"
    raw_id_fields = ("athlete",)
