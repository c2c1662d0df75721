from django.contrib import admin

from .models import AuditEvent, Notification, OutboxMessage


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "organisation")
    list_filter = ("action", "target_type", "organisation")
    search_fields = ("action", "target_id", "actor__username")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient", "plan")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "handler", "status", "attempts", "dispatched_at", "done_at")
    list_filter = ("status", "handler")
    search_fields = ("dedupe_key", "last_error")
