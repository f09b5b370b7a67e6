from django.apps import AppConfig


class MdtConfig(AppConfig):
    name = "mdt"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The apps below learn of the MDT here, never by importing it: the timeline's sources,
        # My caseload's MDT actions, the person page's MDT referrals waiting, the owner's
        # calendar feed, and what a withdrawn sharing agreement gives up.
        from appointments import calendar as appointments_calendar
        from caseload import selectors as caseload_selectors
        from mdt import calendar, notifications, receivers, selectors, timeline
        from sharing.signals import mdt_sharing_ended

        notifications.register()
        timeline.register()
        appointments_calendar.register_feed_items(calendar.actions_due)
        caseload_selectors.register_caseload_columns(selectors.caseload_columns)
        caseload_selectors.register_person_annotations(selectors.person_annotations)
        mdt_sharing_ended.connect(receivers.sharing_ended, dispatch_uid="mdt.sharing_ended")

        # Records about a person: read by record history, exports and erasure.
        from mdt.models import Action, AgendaItem, MdtReferral
        from smd import person_records

        person_records.register(MdtReferral, path="person")
        person_records.register(AgendaItem, path="person")
        person_records.register(Action, path="person")
