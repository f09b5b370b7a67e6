from django.apps import AppConfig


class SmdConfig(AppConfig):
    name = "smd"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from smd import signals  # noqa: F401 - connects the receivers
