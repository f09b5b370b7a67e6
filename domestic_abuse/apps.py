from django.apps import AppConfig


class DomesticAbuseConfig(AppConfig):
    name = "domestic_abuse"
    verbose_name = "Domestic abuse"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The apps below learn of domestic abuse here, never by importing it: the person's
        # timeline, My caseload's risk and MARAC columns, the person page's latest incident, and
        # the records about a person that record history, exports and erasure read. The MARAC
        # action reminders register here.
        from caseload import selectors as caseload_selectors
        from domestic_abuse import notifications, selectors, timeline
        from domestic_abuse.models import DashAnswer, DashChecklist, MaracAction, MaracReferral
        from smd import person_records

        timeline.register()
        notifications.register()
        caseload_selectors.register_caseload_columns(selectors.caseload_columns)
        caseload_selectors.register_person_annotations(selectors.person_annotations, once=True)
        person_records.register(DashChecklist, path="person")
        person_records.register(DashAnswer, path="checklist__person")
        person_records.register(MaracReferral, path="person")
        person_records.register(MaracAction, path="person")
