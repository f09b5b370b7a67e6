from celery import shared_task

from appointments.notifications import appointment_reminders_send


@shared_task
def appointment_reminders():
    """Queued by Celery beat every five minutes (migration `appointments/0002`): the
    appointment reminders that have fallen due."""
    return appointment_reminders_send()
