from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "caseload"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The timeline's own sources; other apps register theirs in their ready().
        from caseload import timeline
        from caseload.outcomes import timeline as outcomes_timeline

        timeline._register_builtin()
        outcomes_timeline.register()
