from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demonstration and benchmark data: `seed_demo` (the people, meetings and returns a new
    team can click through) and `seed_scale` (the volumes the benchmark measures). Nothing
    else imports it; it sits above every other app."""

    name = "demo"
    verbose_name = "Demonstration data"
