"""The import pages: a manager uploads a file, sees its dry run, imports it, and decides about
held people. One-time submission, a clear message for a bad file, no 500s, pinned queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caseload.models import Contact, Person
from importer.models import HeldPerson, ImportRun
from importer.progress import progress_saver
from importer.services import import_run_step
from importer.tasks import import_run_task
from smd.outbox.models import OutboxMessage
from tests.factories import PersonFactory
from tests.importer.conftest import EXAMPLES

pytestmark = pytest.mark.django_db


def workbook():
    return SimpleUploadedFile("records.xlsx", (EXAMPLES / "records.xlsx").read_bytes())


def upload(client, file, key="7a0b7f0e-3d0e-4f7c-9a55-0d1f2c3b4a59", source="Old CRM"):
    return client.post(
        reverse("importer:index"),
        {"file": file, "source": source, "submission_key": key},
    )


@pytest.fixture
def checked(manager_client, shipped_schemes, example_navigator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(manager_client, workbook())
    return response


def test_an_upload_is_recorded_with_its_dry_run_task_and_checked(checked, manager_client):
    run = ImportRun.objects.get()
    assert checked.url == run.get_absolute_url()
    assert OutboxMessage.objects.get().task == "importer.tasks.import_run_task"
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED
    assert run.summary["contacts"] == {"rows": 3, "new": 3, "already": 0}
    assert not Person.objects.exists()
    page = manager_client.get(run.get_absolute_url()).content.decode()
    assert "Every row is ready to import" in page
    assert "Import these records" in page


def test_importing_after_the_dry_run_writes_the_records(
    checked, manager_client, django_capture_on_commit_callbacks
):
    run = ImportRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("importer:confirm", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.IMPORTED
    assert Contact.objects.count() == 3
    # Sent again, the button does nothing more.
    manager_client.post(reverse("importer:confirm", args=[run.pk]))
    assert Contact.objects.count() == 3
    assert OutboxMessage.objects.count() == 2


def test_the_same_form_sent_twice_keeps_one_file(
    manager_client, shipped_schemes, example_navigator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(manager_client, workbook())
        second = upload(manager_client, workbook())
    assert first.url == second.url
    assert ImportRun.objects.count() == 1


@pytest.mark.parametrize(
    "file, message",
    [
        (SimpleUploadedFile("records.xlsx", b"PK\x03\x04not really a zip"), "This is not a file"),
        (SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"), "This is not a file"),
        (SimpleUploadedFile("notes.csv", b"a,b\n1,2\n"), "Name the CSV file after what it holds"),
        (SimpleUploadedFile("people.csv", b"first_name\n\xff\xfe\xfa\n"), "not UTF-8"),
        (SimpleUploadedFile("people.csv", b""), "file is empty"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message(manager_client, file, message):
    response = upload(manager_client, file)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Error:" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_file_over_the_limit_is_refused(manager_client, settings):
    settings.IMPORT_MAX_BYTES = 10
    response = upload(manager_client, SimpleUploadedFile("people.csv", b"source_id,first_name\n"))
    assert "too big" in response.content.decode()


def test_a_file_with_problems_lists_them_and_offers_no_import(
    manager_client, shipped_schemes, example_navigator, django_capture_on_commit_callbacks
):
    bad = b"source_id,first_name,last_name,gender\nP-1,Ann,Lee,walrus\n,Bo,Ray,\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(manager_client, SimpleUploadedFile("people.csv", bad))
    page = manager_client.get(response.url).content.decode()
    assert "Has problems" in page
    assert "walrus" in page and "source_id" in page
    assert "Import these records" not in page
    run = ImportRun.objects.get()
    assert [(p["row"], p["column"]) for p in run.problems] == [(2, "gender"), (3, "source_id")]
    assert manager_client.post(reverse("importer:confirm", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PROBLEMS


def test_the_status_partial_polls_while_in_progress(manager_client, manager):
    run = ImportRun.objects.create(
        team=manager.team,
        source="Old CRM",
        original_name="records.xlsx",
        uploaded_by=manager,
        status=ImportRun.Status.IMPORTING,
    )
    progress_saver(run.pk)(250, 1000)
    response = manager_client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="run-status"')
    assert 'hx-trigger="every 2s"' in body
    assert 'value="25"' in body


def test_another_teams_run_is_not_found(client_for, make_user, other_team, manager):
    run = ImportRun.objects.create(
        team=manager.team, source="x", original_name="a.csv", uploaded_by=manager
    )
    elsewhere = client_for(make_user("manager", team=other_team, username="m2"))
    assert elsewhere.get(run.get_absolute_url()).status_code == 404


def test_held_people_are_listed_and_decided_on_the_page(
    manager_client, manager, shipped_schemes, example_navigator, django_capture_on_commit_callbacks
):
    morgan = PersonFactory(
        team=manager.team, first_name="Morgan", last_name="Ashdown", date_of_birth="1984-03-12"
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(manager_client, workbook())
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("importer:confirm", args=[ImportRun.objects.get().pk]))
    run = ImportRun.objects.get()
    assert (run.status, run.problems) == ("imported", [])
    held = HeldPerson.objects.get()
    page = manager_client.get(reverse("importer:held")).content.decode()
    assert "Same person: link" in page and str(morgan) in page
    response = manager_client.post(reverse("importer:decide", args=[held.pk]), {"decision": "link"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.decision == "linked"
    # Again: refused, nothing made.
    manager_client.post(reverse("importer:decide", args=[held.pk]), {"decision": "create"})
    assert Person.objects.count() == 2
    assert "No one is held" in manager_client.get(reverse("importer:held")).content.decode()


def test_a_decision_that_is_neither_is_refused(manager_client, manager, shipped_schemes):
    run = ImportRun.objects.create(
        team=manager.team, source="x", original_name="a.csv", uploaded_by=manager
    )
    held = HeldPerson.objects.create(
        run=run,
        team=manager.team,
        source="x",
        source_id="1",
        data={"first_name": "A", "last_name": "B"},
        candidate=PersonFactory(team=manager.team),
        score=60,
        reasons=[],
    )
    manager_client.post(reverse("importer:decide", args=[held.pk]), {"decision": "merge"})
    held.refresh_from_db()
    assert held.decision == "held"


# --- queries -----------------------------------------------------------------------------------


def test_the_pages_cost_the_same_with_more_runs(manager_client, manager, count_queries):
    def runs(n):
        for i in range(n):
            ImportRun.objects.create(
                team=manager.team, source="x", original_name=f"{i}.csv", uploaded_by=manager
            )

    runs(1)
    # session, user, the second factor's device; held count; the runs; the audit entry; the
    # top bar's count of unread notifications
    assert count_queries.page(manager_client, reverse("importer:index")) == 7
    runs(5)
    assert count_queries.page(manager_client, reverse("importer:index")) == 7
    run = ImportRun.objects.first()
    # session, user, device; the run (its progress is in the cache; not audited); the top bar's
    # count of unread notifications
    assert count_queries.page(manager_client, run.get_absolute_url()) == 5


def test_the_held_page_costs_the_same_with_more_held(manager_client, manager, count_queries):
    run = ImportRun.objects.create(
        team=manager.team, source="x", original_name="a.csv", uploaded_by=manager
    )

    def hold(n):
        for _ in range(n):
            HeldPerson.objects.create(
                run=run,
                team=manager.team,
                source="x",
                source_id=str(HeldPerson.objects.count()),
                data={"first_name": "A", "last_name": "B"},
                candidate=PersonFactory(team=manager.team),
                score=60,
                reasons=["same name"],
            )

    hold(1)
    # session, user, device; the held rows with their candidates and runs; the audit entry;
    # the top bar's count of unread notifications
    assert count_queries.page(manager_client, reverse("importer:held")) == 6
    hold(4)
    assert count_queries.page(manager_client, reverse("importer:held")) == 6


# --- the task -----------------------------------------------------------------------------------


def test_a_step_handed_over_twice_is_done_once(checked, manager):
    run = ImportRun.objects.get()
    message = OutboxMessage.objects.get()
    assert message.status == "done"
    import_run_task(run_id=str(run.pk), outbox_id=str(message.pk))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED


def test_a_run_another_worker_is_at_leaves_its_message_open(manager, settings):
    run = ImportRun.objects.create(
        team=manager.team,
        source="x",
        original_name="a.csv",
        uploaded_by=manager,
        status=ImportRun.Status.IMPORTING,
    )
    progress_saver(run.pk)(10, 100)
    assert import_run_step(run_id=run.pk) == (run, False)


def test_a_run_whose_worker_died_is_taken_up_again(checked, manager, settings):
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.IMPORTING)
    settings.IMPORT_STALE_SECONDS = -1
    run, finished = import_run_step(run_id=run.pk)
    assert (run.status, finished) == (ImportRun.Status.IMPORTED, True)
    assert Contact.objects.count() == 3
