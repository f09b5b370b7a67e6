"""Celery beat queues the appointment reminders every five minutes: a reminder "1 hour before"
cannot wait for the daily notification sweep. The schedule lives in the database
(django-celery-beat) so it can be changed in the admin."""

from django.db import migrations

NAME = "Appointment reminders"
TASK = "appointments.tasks.appointment_reminders"


def create(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = Interval.objects.get_or_create(every=5, period="minutes")
    Periodic.objects.get_or_create(name=NAME, defaults={"task": TASK, "interval": every})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
