from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    label = "sharing"
    verbose_name = "Consent and information sharing"
    default_auto_field = "django.db.models.BigAutoField"
