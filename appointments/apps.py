from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = "Appointments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The person page's timeline, and the record's history, export and erasure, learn of
        # appointments here: the caseload never imports them. The reminders' kind registers here.
        from appointments import notifications, timeline
        from appointments.models import Appointment
        from smd import person_records

        timeline.register()
        notifications.register()
        person_records.register(Appointment, path="person")
