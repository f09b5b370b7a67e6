from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Insight hub API"

    def ready(self):
        # Registers the token with the OpenAPI description.
        from api import schema  # noqa: F401
