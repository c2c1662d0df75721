"""Admin building blocks: read-only admins for clinical records, and audited admins for the rest.

Clinical records (athletes, injuries, assessments, session logs, next-morning reports, technique ratings, plans,
decisions, plan notes, protocols) are read-only in the admin: a change to them must go through the app's
services, which check it, re-evaluate the plan and write the audit row; an edit in the admin would do none of
that (a superuser setting pain 9 to 0 would leave the plan's decisions resting on a value nobody entered).
Everything else the admin may change (organisations, memberships, teams, users, notifications) is audited with
its before and after, as `admin.add` / `admin.change` / `admin.delete` events.
"""
from django.contrib import admin

from .audit import NO_ORGANISATION, audit_record, snapshot

#: Fields never copied into an audit row.
SECRET_FIELDS = {"password"}


class ReadOnlyAdminMixin:
    """Staff can look, nobody can add, change or delete (no "delete selected" either)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class ReadOnlyStackedInline(ReadOnlyAdminMixin, admin.StackedInline):
    extra = 0


class ReadOnlyModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


def admin_snapshot(obj) -> dict | None:
    if obj is None:
        return None
    data = snapshot(obj)
    for name in SECRET_FIELDS & set(data):
        data[name] = "(hidden)"
    for field in obj._meta.many_to_many:
        if obj.pk is not None:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


class AuditedAdminMixin:
    """Every add, change and delete made through this admin writes an audit row with before and after."""

    def _before(self, obj):
        if obj.pk is None:
            return None
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
        return admin_snapshot(fresh)

    def save_model(self, request, obj, form, change):
        request._audit_before = getattr(request, "_audit_before", {})
        request._audit_before[(type(obj), obj.pk)] = self._before(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_audit_before", {}).get((type(obj), obj.pk))
        audit_record(actor=request.user, action="admin.change" if change else "admin.add", target=obj,
                     before=before, after=admin_snapshot(obj))

    def save_formset(self, request, form, formset, change):
        befores = {id(f.instance): (f.instance.pk, self._before(f.instance))
                   for f in formset.forms if f.instance.pk is not None}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(actor=request.user, action="admin.add", target=obj, after=admin_snapshot(obj))
        for obj, _fields in formset.changed_objects:
            audit_record(actor=request.user, action="admin.change", target=obj, before=befores[id(obj)][1],
                         after=admin_snapshot(obj))
        for obj in formset.deleted_objects:
            pk, before = befores.get(id(obj), (obj.pk, None))
            obj.pk = pk
            audit_record(actor=request.user, action="admin.delete", target=obj, before=before,
                         organisation=getattr(form.instance, "audit_organisation", None) or NO_ORGANISATION)

    def _audit_delete(self, request, obj, pk, before, organisation):
        obj.pk = pk
        if organisation is not None and not type(organisation)._default_manager.filter(pk=organisation.pk).exists():
            organisation = NO_ORGANISATION  # the organisation itself was deleted (it had no audit rows)
        audit_record(actor=request.user, action="admin.delete", target=obj, before=before,
                     organisation=organisation or NO_ORGANISATION)

    def delete_model(self, request, obj):
        pk, before, organisation = obj.pk, admin_snapshot(obj), getattr(obj, "audit_organisation", None)
        super().delete_model(request, obj)
        self._audit_delete(request, obj, pk, before, organisation)

    def delete_queryset(self, request, queryset):
        rows = [(obj, obj.pk, admin_snapshot(obj), getattr(obj, "audit_organisation", None)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, pk, before, organisation in rows:
            self._audit_delete(request, obj, pk, before, organisation)
