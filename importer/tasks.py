from celery import shared_task

from importer.progress import progress_saver
from importer.services import import_files_clear, import_run_step
from smd.outbox.services import outbox_done


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_run_task(run_id, outbox_id=None):
    """One step of an uploaded file: its dry run, or (asked for after it) its import. The run's
    status guards the step, so a message handed over twice does it once; the message is done
    when the step is, and while another worker is at it, it waits for the sweep (ADR 0030)."""
    _, finished = import_run_step(run_id=run_id, progress=progress_saver(run_id))
    if finished:
        outbox_done(message_id=outbox_id)


@shared_task
def import_files_clear_daily():
    """Take uploaded files off the server once nothing will read them (beat, daily at 03:30)."""
    return import_files_clear()
