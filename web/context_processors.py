from core.access import access_for


def roles(request):
    user = getattr(request, "user", None)
    access = access_for(user)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True, resolved_at__isnull=True).count()
    return {"access": access, "role": access.primary_role, "unread_notifications": unread}
