from smd.notifications.models import Notification


def notifications_for(user):
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")
