from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "caseload"
    default_auto_field = "django.db.models.BigAutoField"
