"""The admin's view of API tokens: who has one and until when, never a key or its digest.

knox registers an admin that lists digests and lets staff mint tokens for anyone (shown in a message). Tokens are
created by their owner only (core.tokens, audited); the admin may look and revoke (delete), nothing else.
"""
from django.contrib import admin


class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created", "expiry")
    fields = ("user", "created", "expiry")
    readonly_fields = fields
    search_fields = ("user__username",)
    ordering = ("-created",)
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def register():
    from knox.models import AuthToken

    if admin.site.is_registered(AuthToken):
        admin.site.unregister(AuthToken)
    admin.site.register(AuthToken, ApiTokenAdmin)
