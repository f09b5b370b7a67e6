"""Celery beat queues last quarter's return at 02:00 on the first day of each quarter. The
schedule lives in the database (django-celery-beat) so it can be changed in the admin."""

from django.db import migrations

TASK = "smd.returns.tasks.previous_quarter_returns"
NAME = "Quarterly return for the previous quarter"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = Crontab.objects.get_or_create(
        minute="0",
        hour="2",
        day_of_week="*",
        day_of_month="1",
        month_of_year="1,4,7,10",
        timezone="Europe/London",
    )
    Periodic.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": schedule})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
