from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app notifications, reminders and email digests: the model, preferences, the centre's
    pages and the top bar's count. Each domain app registers its own kinds and sweeps in its
    ready() (smd.notifications.register_kind, register_sweep), so this app imports none."""

    name = "smd.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from smd.notifications import security

        security.register()
