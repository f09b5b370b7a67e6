"""Celery beat queues the notification sweep at 06:30 each day (reminders due soon, overdue or
waiting), then each user's daily summary email at 07:00. The schedule lives in the database
(django-celery-beat) so it can be changed in the admin."""

from django.db import migrations

SCHEDULE = [
    ("Notification sweep", "smd.notifications.tasks.notifications_sweep_daily", "30", "6"),
    (
        "Notification daily summaries",
        "smd.notifications.tasks.notifications_digest_daily",
        "0",
        "7",
    ),
]


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULE:
        schedule, _ = Crontab.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Europe/London",
        )
        Periodic.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule})


def remove(apps, schema_editor):
    names = [name for name, *_ in SCHEDULE]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
