"""The app moved from `smd/returns/` to `returns/`, and Celery names a task by its module path.
Rename the tasks the database holds under the old path: the beat schedule and any outbox
message not yet done, so neither asks a worker for a task it no longer knows."""

from django.db import migrations

RENAMES = {
    "smd.returns.tasks.previous_quarter_returns": "returns.tasks.previous_quarter_returns",
    "smd.returns.tasks.quarterly_return_build": "returns.tasks.quarterly_return_build",
}


def rename(apps, schema_editor, renames=RENAMES):
    Periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    OutboxMessage = apps.get_model("outbox", "OutboxMessage")
    for old, new in renames.items():
        Periodic.objects.filter(task=old).update(task=new)
        OutboxMessage.objects.filter(task=old).update(task=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, renames={new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0004_queue_waiting_returns"),
        ("outbox", "0002_sweep_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(rename, rename_back)]
