"""Versions left waiting before builds went through the outbox (a task queue that was down
when they were asked for) get an outbox message, so the sweep builds them."""

from django.db import migrations

TASK = "smd.returns.tasks.quarterly_return_build"


def queue(apps, schema_editor):
    QuarterlyReturn = apps.get_model("returns", "QuarterlyReturn")
    OutboxMessage = apps.get_model("outbox", "OutboxMessage")
    for pk in QuarterlyReturn.objects.filter(status="pending").values_list("pk", flat=True):
        OutboxMessage.objects.create(task=TASK, kwargs={"return_id": str(pk)})


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0003_build_lease"),
        ("outbox", "0001_outbox_message"),
    ]
    operations = [migrations.RunPython(queue, migrations.RunPython.noop)]
