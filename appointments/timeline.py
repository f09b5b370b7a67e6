"""Appointments on the person's timeline (caseload.timeline), at the time they were booked for,
whatever became of them."""

from appointments.models import Appointment
from caseload import timeline


def register():
    """Registered by AppointmentsConfig.ready()."""
    timeline.register_group("appointments", "Appointments", position=15)
    timeline.register(
        timeline.Source(
            kind="appointment",
            group="appointments",
            template="appointments/timeline/appointment.html",
            records=lambda person, user: Appointment.objects.filter(person=person),
            at="starts_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("worker"),
        )
    )
