"""Importing the previous system's records: checked first, written all or nothing, once."""

import csv

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from assessments.models import Assessment
from caseload.models import Allocation, Contact, Episode, Person, PersonAlias
from caseload.outcomes.models import AccommodationChange, ServiceEvent
from importer.models import HeldPerson, ImportedRecord, ImportRun
from importer.services import held_person_create, held_person_link, records_import
from referrals.models import EligibilityDecision, Referral
from tests.factories import PersonFactory
from tests.importer.conftest import CSV_FILES

pytestmark = pytest.mark.django_db

COUNTS = {
    Person: 2,
    PersonAlias: 1,
    Episode: 3,
    Allocation: 3,
    Assessment: 3,
    Contact: 3,
    ServiceEvent: 2,
    AccommodationChange: 3,
    Referral: 2,
    EligibilityDecision: 2,
}


def counts():
    return {model: model.objects.count() for model in COUNTS}


def run(files, *args, source="Old CRM", by="manager1"):
    call_command("import_records", *map(str, files), "--source", source, "--by", by, *args)


def csvs(folder):
    return [folder / name for name in CSV_FILES]


def rewrite(path, change):
    """Rewrite a CSV's rows through change(rows)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows = change(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def test_it_imports_every_kind_from_the_csv_files(examples, manager):
    run(csvs(examples))
    assert counts() == COUNTS
    morgan = Person.objects.get(first_name="Morgan")
    assert morgan.risk_flags == ["self_harm", "visit_in_pairs"]
    assert morgan.aliases.get().name == "Morgan Hale"
    assert morgan.episodes.get(status="active").allocations.get().worker.username == "navigator"
    first = Assessment.objects.get(person=morgan, assessed_on="2024-05-20")
    assert (first.status, first.total, first.standard_total) == ("completed", 30, 30)
    amended = Assessment.objects.get(person__first_name="Tomasz")
    assert amended.scheme.code == "ndt-amended" and amended.standard_total <= amended.total


def test_referrals_keep_when_they_came_their_decision_and_the_period_they_opened(
    examples, manager, example_navigator
):
    run(csvs(examples))
    morgan = Referral.objects.get(person__first_name="Morgan")
    assert (morgan.first_name, morgan.last_name) == ("Morgan", "Ashdown")
    assert f"{morgan.created_at:%Y-%m-%d %H:%M}" == "2024-04-22 13:10"  # 14:10 BST
    assert (morgan.status, morgan.domestic_abuse, morgan.disadvantage_count) == (
        "eligible",
        True,
        3,
    )
    assert morgan.source_name == "Women's Aid"
    assert morgan.episode.start_date.isoformat() == "2024-05-09"
    decision = morgan.decisions.get()
    assert (decision.outcome, decision.decided_by) == ("eligible", example_navigator)
    tomasz = Referral.objects.get(person__first_name="Tomasz")
    assert tomasz.is_self_referral and tomasz.decisions.get().decided_by == manager
    run(csvs(examples))
    assert counts() == COUNTS


def test_a_referral_decision_breaking_the_rule_of_three_is_refused(examples, manager):
    def break_rows(rows):
        rows[1][rows[0].index("mental_health")] = "no"  # eligible on two of five
        return rows

    rewrite(examples / "referrals.csv", break_rows)
    with pytest.raises(CommandError, match="1 problem"):
        run(csvs(examples))
    assert set(counts().values()) == {0}


def test_the_workbook_imports_the_same_records(examples, manager):
    run([examples / "records.xlsx"])
    assert counts() == COUNTS


def test_a_dry_run_writes_nothing_and_says_where_each_problem_is(examples, manager):
    def break_rows(rows):
        rows[2][rows[0].index("duration_minutes")] = "900"  # C-2
        rows[3][rows[0].index("kind")] = "carrier pigeon"  # C-3
        return rows

    rewrite(examples / "contacts.csv", break_rows)
    with pytest.raises(CommandError, match="2 problem"):
        run(csvs(examples), "--dry-run")
    assert set(counts().values()) == {0}
    assert not ImportedRecord.objects.exists()
    assert not ImportRun.objects.exists()


def test_a_dry_run_of_a_good_file_writes_nothing(examples, manager, capsys):
    run(csvs(examples), "--dry-run")
    assert set(counts().values()) == {0}
    assert "contacts: 3 rows, 3 new, 0 already" in capsys.readouterr().out


def check(path, manager, source="Old CRM", write=False):
    with path.open("rb") as handle:
        return records_import(
            handle=handle,
            name=path.name,
            team=manager.team,
            source=source,
            by=manager,
            write=write,
        )


def test_problems_name_the_file_row_and_column(examples, manager):
    run(csvs(examples)[:2])

    def break_rows(rows):
        rows[3][rows[0].index("duration_minutes")] = "0"
        rows[2][rows[0].index("occurred_at")] = "the 31st of Smarch"
        return rows

    rewrite(examples / "contacts.csv", break_rows)
    outcome = check(examples / "contacts.csv", manager)
    assert outcome.problems == [
        {
            "sheet": "contacts.csv",
            "row": 3,
            "column": "occurred_at",
            "message": "Write a real date and time, like 2024-03-31 14:30.",
        },
        {
            "sheet": "contacts.csv",
            "row": 4,
            "column": "",
            "message": "duration_minutes is between 1 and 480.",
        },
    ]


def test_nothing_is_imported_from_the_future(examples, manager):
    run(csvs(examples)[:2])

    def future(rows):
        rows[1][rows[0].index("occurred_at")] = "2099-01-01 10:00"
        return rows

    rewrite(examples / "contacts.csv", future)
    outcome = check(examples / "contacts.csv", manager)
    assert [(p["row"], p["column"]) for p in outcome.problems] == [(2, "occurred_at")]


def test_a_row_naming_a_person_not_in_the_file_is_a_problem(examples, manager):
    outcome = check(examples / "contacts.csv", manager)
    assert {(p["row"], p["column"]) for p in outcome.problems} == {
        (2, "person_source_id"),
        (3, "person_source_id"),
        (4, "person_source_id"),
    }


def test_people_are_checked_by_the_person_form(examples, manager):
    def break_rows(rows):
        rows[1][rows[0].index("nhs_number")] = "123 456 7890"
        rows[2][rows[0].index("gender")] = "walrus"
        return rows

    rewrite(examples / "people.csv", break_rows)
    outcome = check(examples / "people.csv", manager)
    assert [(p["row"], p["column"]) for p in outcome.problems] == [
        (2, "nhs_number"),
        (3, "gender"),
    ]


def test_a_bad_row_late_in_the_file_leaves_nothing_written(examples, manager):
    def break_last(rows):
        rows[-1][rows[0].index("status")] = "castle"
        return rows

    rewrite(examples / "accommodation.csv", break_last)
    with pytest.raises(CommandError, match="nothing was imported"):
        run(csvs(examples))
    assert set(counts().values()) == {0}
    assert not ImportedRecord.objects.exists()
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_running_the_same_file_again_adds_nothing(examples, manager, capsys):
    run([examples / "records.xlsx"])
    run([examples / "records.xlsx"])
    assert counts() == COUNTS
    assert "contacts: 3 rows, 0 new, 3 already" in capsys.readouterr().out
    # The CSV files carry the same source ids: nothing is new there either.
    run(csvs(examples))
    assert counts() == COUNTS


def test_another_source_is_another_set_of_records(examples, manager):
    run([examples / "records.xlsx"])
    # The people are now on the record: from another system they are held, not duplicated.
    run([examples / "records.xlsx"], source="Housing database")
    assert Person.objects.count() == 2
    assert HeldPerson.objects.filter(source="Housing database").count() == 2


def test_new_rows_in_a_later_file_are_added(examples, manager):
    run(csvs(examples))

    def add_contact(rows):
        rows.append(
            [
                "C-4",
                "P-1002",
                "E-503",
                "",
                "2023-06-20 10:00",
                "phone",
                "5",
                "yes",
                "Called to confirm the appointment.",
                "",
                "",
                "",
            ]
        )
        return rows

    rewrite(examples / "contacts.csv", add_contact)
    run([examples / "contacts.csv"])
    assert Contact.objects.count() == 4


def test_imported_records_are_marked_with_their_source_and_in_history(examples, manager):
    run([examples / "records.xlsx"])
    morgan = Person.objects.get(first_name="Morgan")
    record = ImportedRecord.objects.get(kind="person", person=morgan)
    assert (record.source, record.source_id, record.object_id) == ("Old CRM", "P-1001", morgan.pk)
    assert record.run.status == ImportRun.Status.IMPORTED
    contact = Contact.objects.get(summary__startswith="First meeting")
    assert ImportedRecord.objects.get(kind="contact", source_id="C-1").object_id == contact.pk
    created = morgan.history.get()
    assert (created.history_change_reason, created.history_user) == (
        "Imported from Old CRM",
        manager,
    )
    episode = morgan.episodes.first().history.get()
    assert episode.history_change_reason == "Imported from Old CRM"
    event = ServiceEvent.objects.first().history.get()
    assert event.history_change_reason == "Imported from Old CRM"


def test_the_person_page_says_where_the_record_came_from(examples, manager, manager_client):
    run([examples / "records.xlsx"])
    morgan = Person.objects.get(first_name="Morgan")
    page = manager_client.get(morgan.get_absolute_url()).content.decode()
    assert "from Old CRM · their id there: P-1001" in page


def test_blank_staff_columns_are_the_person_importing(examples, manager):
    run(csvs(examples))
    assert Contact.objects.get(summary__startswith="Checked in").author == manager
    assert Contact.objects.get(summary__startswith="First meeting").author.username == "navigator"


def test_a_staff_member_outside_the_team_is_a_problem(examples, manager):
    def stranger(rows):
        rows[1][rows[0].index("worker")] = "someone@elsewhere.org"
        return rows

    rewrite(examples / "allocations.csv", stranger)
    with pytest.raises(CommandError):
        run(csvs(examples))
    assert Allocation.objects.count() == 0


# --- duplicates ---------------------------------------------------------------------------------


@pytest.fixture
def morgan_already(manager):
    """Morgan is on the record already, under her known-as name's surname and the same birthday."""
    return PersonFactory(
        team=manager.team, first_name="Morgan", last_name="Ashdown", date_of_birth="1984-03-12"
    )


def test_a_probable_match_is_held_never_merged(examples, manager, morgan_already):
    run(csvs(examples))
    held = HeldPerson.objects.get()
    assert (held.source_id, held.candidate, held.decision) == ("P-1001", morgan_already, "held")
    assert "same date of birth" in held.reasons
    # Tomasz came in; nothing of Morgan's did.
    assert Person.objects.count() == 2
    assert not Contact.objects.filter(person=morgan_already).exists()
    assert Contact.objects.count() == 1
    # Run again: still held once.
    run(csvs(examples))
    assert HeldPerson.objects.count() == 1


def test_a_dry_run_reports_who_would_be_held(examples, manager, morgan_already, capsys):
    run(csvs(examples), "--dry-run")
    out = capsys.readouterr().out
    assert "people: 2 rows, 1 new, 0 already, 1 held" in out
    assert "contacts: 3 rows, 1 new, 0 already, 2 waiting" in out
    assert not HeldPerson.objects.exists()


def test_same_person_links_and_their_records_follow_on_the_next_run(
    examples, manager, morgan_already
):
    run(csvs(examples))
    held_person_link(held=HeldPerson.objects.get(), by=manager)
    run(csvs(examples))
    assert Person.objects.count() == 2
    assert morgan_already.contacts.count() == 2
    assert morgan_already.episodes.count() == 2
    held = HeldPerson.objects.get()
    assert (held.decision, held.decided_by) == ("linked", manager)


def test_someone_different_is_created_from_the_held_row(examples, manager, morgan_already):
    run(csvs(examples))
    person = held_person_create(held=HeldPerson.objects.get(), by=manager)
    assert person != morgan_already
    assert (person.first_name, person.nhs_number, person.risk_flags) == (
        "Morgan",
        "",
        ["self_harm", "visit_in_pairs"],
    )
    assert person.history.get().history_change_reason == "Imported from Old CRM"
    run(csvs(examples))
    assert person.contacts.count() == 2


def test_a_held_row_is_decided_once(examples, manager, morgan_already):
    run(csvs(examples))
    held = HeldPerson.objects.get()
    held_person_link(held=held, by=manager)
    with pytest.raises(ValidationError, match="Already decided"):
        held_person_create(held=held, by=manager)
    assert Person.objects.count() == 2
