"""An uploaded file is a whole caseload's personal data: it leaves the server as soon as nothing
will read it (the run has problems, is imported or failed), and a file checked but never imported
leaves after IMPORT_CHECKED_KEEP_DAYS. The daily sweep also takes any file a failed removal left."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caseload.models import Contact
from importer.models import ImportRun
from importer.services import import_files_clear, import_run_step
from importer.tasks import import_files_clear_daily
from tests.importer.test_pages import upload, workbook

pytestmark = pytest.mark.django_db

BAD = b"source_id,first_name,last_name,gender\nP-1,Ann,Lee,walrus\n"


def stored_files():
    return (
        set(default_storage.listdir("imports")[1]) if default_storage.exists("imports") else set()
    )


@pytest.fixture
def checked(manager_client, shipped_schemes, example_navigator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(manager_client, workbook())
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.CHECKED
    return run


def test_a_checked_file_is_kept_for_its_import_then_removed(
    checked, manager_client, django_capture_on_commit_callbacks
):
    name = checked.stored_name
    assert name and default_storage.exists(name)
    assert checked.file_removed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("importer:confirm", args=[checked.pk]))
    checked.refresh_from_db()
    assert checked.status == ImportRun.Status.IMPORTED
    assert Contact.objects.count() == 3
    assert not default_storage.exists(name)
    assert checked.stored_name == "" and checked.file_removed_at is not None
    page = manager_client.get(checked.get_absolute_url()).content.decode()
    assert "taken off the server" in page and "its records are in the app" in page


def test_a_file_with_problems_is_removed_once_checked(
    manager_client, shipped_schemes, example_navigator, django_capture_on_commit_callbacks
):
    before = stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(manager_client, SimpleUploadedFile("people.csv", BAD))
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.PROBLEMS
    assert run.stored_name == "" and run.file_removed_at is not None
    assert stored_files() == before
    # The problems are still listed: they are on the run, not read from the file.
    page = manager_client.get(response.url).content.decode()
    assert "walrus" in page and "taken off the server" in page


def test_a_checked_file_not_imported_in_time_is_given_up_and_removed(
    checked, manager_client, settings
):
    settings.IMPORT_CHECKED_KEEP_DAYS = 14
    name = checked.stored_name
    assert import_files_clear(now=timezone.now() + timedelta(days=13)) == 0
    assert default_storage.exists(name)

    assert import_files_clear(now=timezone.now() + timedelta(days=15)) == 1
    checked.refresh_from_db()
    assert checked.status == ImportRun.Status.FAILED
    assert "Not imported within 14 days" in checked.error
    assert not default_storage.exists(name) and checked.file_removed_at is not None
    # Import asked for after that: refused with a clear message, nothing written.
    response = manager_client.post(reverse("importer:confirm", args=[checked.pk]), follow=True)
    assert "Only a file checked without problems can be imported." in response.content.decode()
    assert not Contact.objects.exists()
    # Run again, the sweep has nothing more to do.
    assert import_files_clear(now=timezone.now() + timedelta(days=30)) == 0


def test_a_file_whose_import_was_asked_for_is_not_given_up(checked, manager_client):
    manager_client.post(reverse("importer:confirm", args=[checked.pk]))  # queued, not yet run
    checked.refresh_from_db()
    assert checked.status == ImportRun.Status.IMPORT_QUEUED
    assert import_files_clear(now=timezone.now() + timedelta(days=60)) == 0
    assert default_storage.exists(checked.stored_name)
    run, finished = import_run_step(run_id=checked.pk)
    assert (run.status, finished) == (ImportRun.Status.IMPORTED, True)
    assert Contact.objects.count() == 3


def test_storage_failing_leaves_the_file_for_the_daily_sweep(
    manager_client, shipped_schemes, example_navigator, django_capture_on_commit_callbacks
):
    before = stored_files()
    down = mock.patch.object(default_storage, "delete", side_effect=OSError("storage is down"))
    with down, django_capture_on_commit_callbacks(execute=True):
        upload(manager_client, SimpleUploadedFile("people.csv", BAD))
    run = ImportRun.objects.get()
    # The check's result stands; the file is still named on the run, so it is not lost track of.
    assert run.status == ImportRun.Status.PROBLEMS
    assert run.stored_name and default_storage.exists(run.stored_name)
    assert run.file_removed_at is None

    assert import_files_clear_daily() == 1
    run.refresh_from_db()
    assert run.stored_name == "" and run.file_removed_at is not None
    assert stored_files() == before


def test_beat_clears_the_files_daily(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="importer.tasks.import_files_clear_daily")
    assert (task.crontab.day_of_week, task.crontab.hour, task.crontab.minute) == ("*", "3", "30")
