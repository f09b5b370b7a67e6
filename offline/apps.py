from django.apps import AppConfig


class OfflineConfig(AppConfig):
    name = "offline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Deactivating a user destroys their device key, so what they left on a phone can
        # never be read again (ADR 0033).
        from offline import receivers  # noqa: F401
