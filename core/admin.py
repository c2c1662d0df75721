from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm

from . import outbox
from .admin_base import AuditedAdminMixin, ReadOnlyAdminMixin
from .audit import audit_record
from .models import AuditEvent, Notification, OutboxMessage
from .validation import validate_name


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: no add, change or delete here (and the database refuses UPDATE and DELETE)."""

    list_display = ("at", "actor", "action", "target_type", "target_id", "organisation")
    list_filter = ("action", "target_type", "organisation")
    search_fields = ("action", "target_id", "actor__username")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(Notification)
class NotificationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient", "plan")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a delivered message can never be put back to pending (it would be sent twice). A failed one
    can be tried again with the "retry" action, which is audited."""

    list_display = ("created_at", "handler", "status", "attempts", "dispatched_at", "done_at")
    list_filter = ("status", "handler")
    search_fields = ("dedupe_key", "last_error")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_failed"]

    def has_retry_permission(self, request):
        return request.user.is_active and request.user.is_staff

    @admin.action(description="Try the selected failed messages again", permissions=["retry"])
    def retry_failed(self, request, queryset):
        retried = 0
        for message in queryset.filter(status=OutboxMessage.Status.FAILED):
            if outbox.retry_failed(message.pk):
                audit_record(actor=request.user, action="outbox.retry", target=message,
                             before={"status": "failed", "attempts": message.attempts, "last_error": message.last_error},
                             after={"status": "pending", "attempts": 0})
                retried += 1
        skipped = queryset.count() - retried
        self.message_user(request, f"{retried} message(s) will be tried again."
                          + (f" {skipped} not failed: left as they are." if skipped else ""),
                          messages.SUCCESS if retried else messages.WARNING)


User = get_user_model()


class UserNamesForm(UserChangeForm):
    """Names end up in email subjects: no control characters (core.validation.validate_name)."""

    def clean_first_name(self):
        validate_name(self.cleaned_data.get("first_name"))
        return self.cleaned_data.get("first_name")

    def clean_last_name(self):
        validate_name(self.cleaned_data.get("last_name"))
        return self.cleaned_data.get("last_name")


class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    """Users are audited (never their password hash). A user that audit rows name cannot be deleted: untick
    "active" instead (or use the action)."""

    form = UserNamesForm
    actions = ["deactivate"]

    @admin.action(description="Deactivate the selected users (they can no longer log in)")
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit_record(actor=request.user, action="admin.deactivate", target=user,
                         before={"is_active": True}, after={"is_active": False})


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)
