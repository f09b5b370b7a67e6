"""Celery beat takes finished imports' uploaded files off the server at 03:30 every day (and a
file checked but not imported within IMPORT_CHECKED_KEEP_DAYS). The schedule lives in the
database (django-celery-beat) so it can be changed in the admin."""

from django.db import migrations

TASK = "importer.tasks.import_files_clear_daily"
NAME = "Daily removal of uploaded import files"


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = Crontab.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    Periodic.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": schedule})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("importer", "0003_import_run_file_removed_at"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
