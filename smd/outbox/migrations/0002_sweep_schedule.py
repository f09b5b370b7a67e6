"""Celery beat queues the outbox sweep every minute: it hands to Celery any work recorded
while the broker was down, and requeues returns whose worker died. The schedule lives in the
database (django-celery-beat) so it can be changed in the admin."""

from django.db import migrations

TASK = "smd.outbox.tasks.outbox_sweep_each_minute"
NAME = "Outbox sweep"


def create(apps, schema_editor):
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = Interval.objects.get_or_create(every=1, period="minutes")
    # A sweep that waited in the queue longer than a minute is overtaken by the next one.
    Periodic.objects.get_or_create(
        name=NAME, defaults={"task": TASK, "interval": schedule, "expire_seconds": 60}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_outbox_message"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
