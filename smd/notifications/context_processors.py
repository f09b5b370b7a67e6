from django.utils.functional import SimpleLazyObject

from smd.notifications.services import unread_count


def unread(request):
    """The top bar's count of unread notifications: one query, made only by a page that shows
    it (a redirect, a file or a partial makes none)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not getattr(user, "is_verified", lambda: False)():
        return {}
    return {
        "notifications_on": True,
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
    }
