from django.apps import AppConfig


class MdtConfig(AppConfig):
    name = "mdt"
    default_auto_field = "django.db.models.BigAutoField"
