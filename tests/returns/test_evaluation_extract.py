"""The evaluation extract: every column against a hand-built team across two quarters, the
pseudonyms, nothing that identifies anyone in the file, the format documented, and the
request, build, download and audit as a manager uses them."""

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentScheme
from assessments.reqol.services import definition_import, reqol_record
from assessments.services import assessment_save
from caseload.models import RiskFlag
from caseload.outcomes import services as outcomes
from domestic_abuse import services as domestic_abuse
from returns.extract import services
from returns.extract.columns import COLUMNS, FORMAT_VERSION, NAMES
from returns.extract.forms import recent_quarters
from returns.extract.models import EvaluationExtract, ExtractDownload
from returns.extract.selectors import extract_rows, to_csv
from returns.extract.tasks import evaluation_extract_build
from rights.models import RetentionReview
from smd.audit.models import AuditEvent
from smd.models import Role
from smd.pseudonyms import pseudonym
from smd.quarters import Quarter
from tests.assessments.test_reqol import definition_data
from tests.domestic_abuse.conftest import answers, dash_data
from tests.factories import (
    EpisodeFactory,
    PersonFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
    new_key,
)

Q2 = Quarter(2025, 2)  # 1 July to 30 September 2025
Q3 = Quarter(2025, 3)  # 1 October to 31 December 2025
DOCS = Path(__file__).resolve().parents[2] / "docs/evaluation-extract.md"


def ndt(person, episode, code, on, scores, by, **overrides):
    scheme = AssessmentScheme.objects.get(code=code, version=1)
    return assessment_save(
        person=person,
        episode=episode,
        scheme=scheme,
        assessed_on=on,
        assessor=by,
        participation="yes",
        scores={item.key: scores for item in scheme.items.all()} | overrides,
        notes={},
        complete=True,
        by=by,
    )


def reqol(person, episode, definition, on, response, by):
    return reqol_record(
        person=person,
        episode=episode,
        definition=definition,
        completed_on=on,
        completion="themself",
        responses={f"item_{n}": response for n in range(1, 11)},
        by=by,
    )


@pytest.fixture
def case(team, shipped_schemes):
    """Three people of the team and one of another, with everything the extract reads.

    Ann: a woman born 15 March 1990 (35 at the end of both quarters), referred for
    homelessness, mental health and domestic abuse; supported from 10 July 2025; a standard NDT
    (every item 3: 36) in July and an amended one (every item 2, domestic abuse 4: amended 38,
    standard 24) in November; ReQoL-10 20 in July, 24 in December; two A&E attendances in Q2
    and an arrest on 1 October; sleeping rough from June, in a hostel from 15 October.
    Bo: a man whose age (50 on 1 January 2024) is approximate, referred for substance misuse
    and offending; supported from 1 April to 30 November 2025, ending planned; ten nights in
    custody from 25 September (six in Q2, four in Q3).
    Cy: supported from 20 October 2025 (Q3 only), with no referral behind the episode.
    Domestic abuse: Ann's DASH checklist of 10 September 2025 is high (14 yes) and she was
    referred to a MARAC on 12 September; on 20 November she was referred again (a repeat) and
    her checklist of 31 December (the quarter's last day) is medium on judgement. Cy's of 25
    October is standard; Bo's first is dated 5 January 2026, after both quarters.
    """
    nav = UserFactory(role=Role.NAVIGATOR, team=team)
    definition = definition_import(data=definition_data())
    ann = PersonFactory(
        team=team,
        first_name="Zephyrine",
        last_name="Quillfeather",
        known_as="Zeph",
        date_of_birth=date(1990, 3, 15),
        nhs_number="9434765919",
        phone="07700 900461",
        contact_notes="Only ring after 6pm, code word Marigold.",
        gender="woman",
        ethnicity="black_african",
        disability="yes",
        risk_flags=[RiskFlag.DOMESTIC_ABUSE],
    )
    ann_referral = ReferralFactory(
        team=team,
        person=ann,
        first_name="Zephyrine",
        last_name="Quillfeather",
        homelessness=True,
        mental_health=True,
        substance_misuse=False,
        offending=False,
        domestic_abuse=True,
        contact_details="14 Larkspur Row, flat 2; zeph.quill@example.org",
        why_now="Fled Thornbury Court after an assault.",
    )
    ann_ep = EpisodeFactory(
        person=ann,
        referral=ann_referral,
        accepted_on=date(2025, 7, 1),
        start_date=date(2025, 7, 10),
    )
    bo = PersonFactory(
        team=team,
        first_name="Bartholomew",
        last_name="Okonkwo-Vance",
        date_of_birth=None,
        approximate_age=50,
        approximate_age_recorded_on=date(2024, 1, 1),
        gender="man",
        ethnicity="white_british",
    )
    bo_referral = ReferralFactory(
        team=team,
        person=bo,
        homelessness=False,
        mental_health=False,
        substance_misuse=True,
        offending=True,
        domestic_abuse=False,
    )
    EpisodeFactory(
        person=bo,
        referral=bo_referral,
        accepted_on=date(2025, 3, 20),
        start_date=date(2025, 4, 1),
        status="closed",
        end_date=date(2025, 11, 30),
        exit_destination="other_support",
        ending_planned=True,
    )
    cy = PersonFactory(team=team, first_name="Cyprian", last_name="Ashdown-Fell")
    EpisodeFactory(person=cy, accepted_on=date(2025, 10, 20), start_date=date(2025, 10, 20))
    # Someone of another team, supported in both quarters: never in this team's extract.
    elsewhere = PersonFactory(team=TeamFactory(), first_name="Ottoline")
    EpisodeFactory(person=elsewhere, start_date=date(2025, 1, 1))

    ndt(ann, ann_ep, "ndt-standard", date(2025, 7, 15), 3, nav)
    ndt(ann, ann_ep, "ndt-amended", date(2025, 11, 1), 2, nav, domestic_abuse=4)
    reqol(ann, ann_ep, definition, date(2025, 7, 20), 2, nav)
    reqol(ann, ann_ep, definition, date(2025, 12, 1), 4, nav)
    for day, kind in [
        (date(2025, 8, 1), "ae_attendance"),
        (date(2025, 9, 30), "ae_attendance"),
        (date(2025, 10, 1), "arrest"),
    ]:
        outcomes.service_event_record(
            person=ann, by=nav, kind=kind, occurred_on=day, source="partner_record"
        )
    outcomes.service_event_record(
        person=bo,
        by=nav,
        kind="custody",
        occurred_on=date(2025, 9, 25),
        quantity=10,
        source="partner_record",
    )
    outcomes.accommodation_record(
        person=ann, by=nav, status="rough_sleeping", from_date=date(2025, 6, 1)
    )
    outcomes.accommodation_record(person=ann, by=nav, status="hostel", from_date=date(2025, 10, 15))
    dash = domestic_abuse.definition_import(data=dash_data())
    for person, on, yes, judgement in [
        (ann, date(2025, 9, 10), 14, ""),
        (ann, date(2025, 12, 31), 5, "medium"),
        (cy, date(2025, 10, 25), 2, ""),
        (bo, date(2026, 1, 5), 16, ""),
    ]:
        domestic_abuse.checklist_record(
            person=person,
            definition=dash,
            completed_on=on,
            answers=answers(yes),
            judgement=judgement,
            judgement_reason="Escalating controlling behaviour." if judgement else "",
            by=nav,
        )
    for on in [date(2025, 9, 12), date(2025, 11, 20)]:
        domestic_abuse.marac_refer(
            person=ann,
            referred_on=on,
            marac="City MARAC",
            criteria=["visible_high_risk"],
            sharing_basis="consent",
            by=nav,
        )
    return {"ann": ann, "bo": bo, "cy": cy, "elsewhere": elsewhere, "referral": ann_referral}


def by_person(rows, case):
    names = {pseudonym(case[name].pk, "evaluation"): name for name in ("ann", "bo", "cy")}
    return {names[row["pseudonym"]]: row for row in rows}


def test_the_second_quarter_row_by_row(team, case):
    rows = by_person(extract_rows(team, Q2), case)
    assert set(rows) == {"ann", "bo"}  # Cy starts in Q3; the other team's person never
    ann, bo = rows["ann"], rows["bo"]
    assert set(ann) == set(NAMES)
    assert {k: ann[k] for k in NAMES[:12]} == {
        "format_version": FORMAT_VERSION,
        "quarter": "2025/26 Q2",
        "pseudonym": pseudonym(case["ann"].pk, "evaluation"),
        "gender": "woman",
        "gender_same_as_sex_at_birth": "not_known",
        "ethnicity": "black_african",
        "ethnic_minority": "yes",
        "sexual_orientation": "not_known",
        "religion": "not_known",
        "disability": "yes",
        "age_band": "30_39",
        "age_basis": "date_of_birth",
    }
    assert [ann[f"disadvantage_{k}"] for k in ("homelessness", "mental_health")] == ["yes", "yes"]
    assert [ann[f"disadvantage_{k}"] for k in ("substance_misuse", "offending")] == ["no", "no"]
    assert ann["disadvantage_domestic_abuse"] == "yes" and ann["disadvantage_count"] == 3
    assert (ann["support_accepted_on"], ann["support_start"]) == ("2025-07-01", "2025-07-10")
    assert ann["support_end"] == ann["exit_destination"] == ann["ending_planned"] == ""
    # Only the standard NDT was done by the end of Q2: it is baseline and latest.
    assert (ann["ndt_baseline_date"], ann["ndt_baseline_scheme"]) == (
        "2025-07-15",
        "ndt-standard v1",
    )
    assert (ann["ndt_baseline_standard_total"], ann["ndt_baseline_amended_total"]) == (36, "")
    assert (ann["ndt_latest_date"], ann["ndt_latest_standard_total"]) == ("2025-07-15", 36)
    assert (ann["reqol_baseline_date"], ann["reqol_baseline_total"]) == ("2025-07-20", 20)
    assert (ann["reqol_latest_date"], ann["reqol_latest_total"]) == ("2025-07-20", 20)
    assert ann["events_ae_attendance"] == 2 and ann["events_arrest"] == 0
    assert ann["accommodation_at_start"] == ann["accommodation_at_end"] == "rough_sleeping"
    assert ann["accommodation_changes"] == 0
    assert (ann["da_survivor"], ann["da_risk_flag"], ann["da_ndt_item"]) == ("yes", "yes", "")
    assert ann["da_risk_level"] == "high"  # 10 September's checklist
    assert (ann["marac_referrals"], ann["marac_repeat"]) == (1, "no")

    assert (bo["gender"], bo["ethnic_minority"]) == ("man", "no")
    # 50 on 1 January 2024, a year older for each full year since: 51 on 30 September 2025.
    assert (bo["age_band"], bo["age_basis"]) == ("50_59", "approximate")
    assert bo["disadvantage_count"] == 2 and bo["disadvantage_offending"] == "yes"
    assert bo["support_end"] == ""  # it ended in Q3, after this quarter
    assert bo["events_custody_nights"] == 6  # 25 to 30 September; the rest is Q3's
    assert bo["ndt_baseline_date"] == bo["reqol_latest_total"] == bo["accommodation_at_end"] == ""
    assert (bo["da_survivor"], bo["da_risk_flag"]) == ("no", "no")
    assert (bo["da_risk_level"], bo["marac_referrals"], bo["marac_repeat"]) == ("none", 0, "")


def test_the_third_quarter_moves_on(team, case):
    rows = by_person(extract_rows(team, Q3), case)
    assert set(rows) == {"ann", "bo", "cy"}
    ann, bo, cy = rows["ann"], rows["bo"], rows["cy"]
    assert ann["quarter"] == "2025/26 Q3"
    assert (ann["ndt_baseline_date"], ann["ndt_baseline_standard_total"]) == ("2025-07-15", 36)
    assert (ann["ndt_latest_date"], ann["ndt_latest_scheme"]) == ("2025-11-01", "ndt-amended v1")
    # Every amended item 2 (17 weights: 34), the double-weighted domestic abuse item 4 (+4).
    assert (ann["ndt_latest_standard_total"], ann["ndt_latest_amended_total"]) == (24, 38)
    assert (ann["reqol_baseline_total"], ann["reqol_latest_total"]) == (20, 24)
    assert ann["reqol_latest_date"] == "2025-12-01"
    assert (ann["events_ae_attendance"], ann["events_arrest"]) == (0, 1)
    assert (ann["accommodation_at_start"], ann["accommodation_at_end"]) == (
        "rough_sleeping",
        "hostel",
    )
    assert ann["accommodation_changes"] == 1
    assert ann["da_ndt_item"] == 4
    # The checklist of the quarter's last day is in force on it; the referral of 20 November
    # came within 12 months of September's.
    assert ann["da_risk_level"] == "medium"
    assert (ann["marac_referrals"], ann["marac_repeat"]) == (1, "yes")

    assert (bo["support_end"], bo["exit_destination"], bo["ending_planned"]) == (
        "2025-11-30",
        "other_support",
        "yes",
    )
    assert bo["events_custody_nights"] == 4
    assert bo["da_risk_level"] == "none"  # his first checklist came after the quarter

    # No referral behind Cy's support: the disadvantages are blank, not "no".
    assert cy["disadvantage_homelessness"] == cy["disadvantage_count"] == ""
    assert cy["support_start"] == "2025-10-20" and cy["events_ae_attendance"] == 0
    assert (cy["da_risk_level"], cy["marac_referrals"], cy["marac_repeat"]) == ("standard", 0, "")


def test_a_person_is_the_same_pseudonym_in_every_extract_and_no_other_purpose(team, case):
    first = {row["pseudonym"] for row in extract_rows(team, Q3)}
    again = {row["pseudonym"] for row in extract_rows(team, Q3)}
    earlier = {row["pseudonym"] for row in extract_rows(team, Q2)}
    assert first == again and earlier < first
    ann = pseudonym(case["ann"].pk, "evaluation")
    assert re.fullmatch(r"PS-[0-9A-F]{16}", ann)
    assert ann != pseudonym(case["ann"].pk, "api")
    assert ann != pseudonym(case["bo"].pk, "evaluation")


def test_the_pseudonyms_change_with_the_secret_key(team, case, settings):
    before = pseudonym(case["ann"].pk, "evaluation")
    settings.SECRET_KEY = "another-" + "k" * 50
    assert pseudonym(case["ann"].pk, "evaluation") != before


def test_the_file_holds_nothing_that_identifies_anyone(team, case):
    text = to_csv(extract_rows(team, Q3)) + to_csv(extract_rows(team, Q2))
    ann, referral = case["ann"], case["referral"]
    identifiers = [
        "Zephyrine",
        "Quillfeather",
        "Zeph",
        "Bartholomew",
        "Okonkwo",
        "Cyprian",
        "Ashdown",
        "Ottoline",
        "9434765919",
        "943 476 5919",
        "07700",
        "900461",
        "Marigold",
        "Larkspur",
        "example.org",
        "Thornbury",
        "1990-03-15",
        "15/03/1990",
        "1990",  # not even the year of birth: ages are bands
        referral.reference,
        *(str(case[name].pk) for name in ("ann", "bo", "cy", "elsewhere")),
        *(str(e.pk) for e in ann.episodes.all()),
    ]
    found = [i for i in identifiers if i.lower() in text.lower()]
    assert found == []


def test_the_file_is_a_plain_csv_with_the_format_version_first(team, case):
    text = to_csv(extract_rows(team, Q3))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == NAMES and rows[0][0] == "format_version"
    assert len(rows) == 4 and {r[0] for r in rows[1:]} == {str(FORMAT_VERSION)}
    # Ordered by pseudonym, so the order says nothing about who came when.
    assert [r[2] for r in rows[1:]] == sorted(r[2] for r in rows[1:])


def test_every_column_is_documented_with_the_format_version():
    docs = DOCS.read_text()
    assert f"Format version: **{FORMAT_VERSION}**" in docs
    for column in COLUMNS:
        assert f"| `{column.name}` |" in docs, f"{column.name} is not in {DOCS.name}"
    assert len(NAMES) == len(set(NAMES))


def test_an_extract_is_built_by_the_task_and_a_finished_one_never_rebuilt(
    team, case, django_capture_on_commit_callbacks
):
    manager = UserFactory(role=Role.MANAGER, team=team)
    with django_capture_on_commit_callbacks(execute=True):  # built in-process under tests
        extract = services.extract_request(team=team, quarter=Q3, by=manager)
    extract.refresh_from_db()
    assert extract.status == "done" and extract.rows == 3 and extract.format_version == 1
    made = extract.csv.read().decode()
    assert made.splitlines()[0].startswith("format_version,quarter,pseudonym")
    before = extract.csv.name
    evaluation_extract_build(str(extract.pk))  # run again: left as it was
    extract.refresh_from_db()
    assert extract.csv.name == before and extract.attempts == 1


def test_a_failure_is_recorded_and_can_be_tried_again(
    team, monkeypatch, django_capture_on_commit_callbacks
):
    manager = UserFactory(role=Role.MANAGER, team=team)

    def broken(*args, **kwargs):
        raise RuntimeError("the ReQoL selector fell over")

    monkeypatch.setattr("returns.extract.tasks.extract_rows", broken)
    with django_capture_on_commit_callbacks(execute=True):
        extract = services.extract_request(team=team, quarter=Q3, by=manager)
    extract.refresh_from_db()
    assert extract.status == "failed" and "fell over" in extract.error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.extract_retry(extract=extract, by=manager)
    extract.refresh_from_db()
    assert extract.status == "done" and extract.rows == 0


def test_a_build_whose_worker_died_is_queued_again_by_the_sweep(
    team, django_capture_on_commit_callbacks
):
    manager = UserFactory(role=Role.MANAGER, team=team)
    extract = EvaluationExtract.objects.create(
        team=team,
        quarter=Q3.label,
        requested_by=manager,
        status="running",
        attempts=1,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.extract_builds_recover() == 1
    extract.refresh_from_db()
    assert extract.status == "done" and extract.attempts == 2  # built again, in-process


def test_manager_asks_watches_and_downloads_and_each_step_is_audited(
    client_for, team, case, django_capture_on_commit_callbacks
):
    manager = UserFactory(role=Role.MANAGER, team=team)
    client = client_for(manager)
    quarter = recent_quarters()[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("returns:extract_generate"), {"quarter": quarter.label, **new_key()}
        )
    assert response.status_code == 302
    extract = EvaluationExtract.objects.get()
    asked = AuditEvent.objects.get(action="create")
    assert asked.user == manager and asked.object_id == str(extract.pk)
    row = client.get(reverse("returns:extract_status", args=[extract.pk])).content.decode()
    assert "Ready" in row and 'hx-trigger="every 2s"' not in row
    file = client.get(reverse("returns:extract_download", args=[extract.pk]))
    assert file.status_code == 200 and "no-store" in file["Cache-Control"]
    assert b"".join(file.streaming_content).startswith(b"format_version,")
    assert ExtractDownload.objects.get().user == manager
    downloaded = AuditEvent.objects.get(action="download")
    assert downloaded.object_id == str(extract.pk) and downloaded.user == manager


def test_a_queued_extract_polls_and_says_it_waits(client_for, team):
    manager = UserFactory(role=Role.MANAGER, team=team)
    extract = EvaluationExtract.objects.create(team=team, quarter=Q3.label, requested_by=manager)
    row = client_for(manager).get(reverse("returns:extract_status", args=[extract.pk]))
    assert 'hx-trigger="every 2s"' in row.content.decode()
    assert "Waiting for a worker" in row.content.decode()


def test_a_quarter_not_offered_is_a_field_error_and_nothing_is_queued(client_for, team):
    manager = UserFactory(role=Role.MANAGER, team=team)
    response = client_for(manager).post(
        reverse("returns:extract_generate"), {"quarter": "2025/27 Q9", **new_key()}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error:" in page and "Choose one of the quarters listed" in page
    assert not EvaluationExtract.objects.exists()


def test_another_teams_manager_cannot_reach_this_teams_extracts(client_for, team):
    manager = UserFactory(role=Role.MANAGER, team=team)
    extract = EvaluationExtract.objects.create(
        team=team, quarter=Q3.label, requested_by=manager, status="done"
    )
    theirs = client_for(UserFactory(role=Role.MANAGER, team=TeamFactory()))
    for name in ("returns:extract_status", "returns:extract_download"):
        assert theirs.get(reverse(name, args=[extract.pk])).status_code == 404
    assert theirs.post(reverse("returns:extract_retry", args=[extract.pk])).status_code == 404
    assert str(extract.pk) not in theirs.get(reverse("returns:extract")).content.decode()


def test_the_returns_page_links_managers_to_the_extract_and_not_admins(client_for, team):
    link = reverse("returns:extract")
    manager = client_for(UserFactory(role=Role.MANAGER, team=team))
    admin = client_for(UserFactory(role=Role.ADMIN, team=team))
    assert link in manager.get(reverse("returns:index")).content.decode()
    assert link not in admin.get(reverse("returns:index")).content.decode()


def test_an_erased_person_is_left_out(team, case):
    """Erasure keeps a person's rows for the figures (ADR 0017), but a per-person file is not a
    figure: their row goes."""
    RetentionReview.objects.create(
        team=team,
        person=case["bo"],
        status="erased",
        last_involvement_on=date(2025, 11, 30),
        due_on=date(2031, 11, 30),
        retention_years=6,
        decided_at=timezone.now(),
        decided_by=UserFactory(role=Role.MANAGER, team=team),
        reason="Retention period passed.",
    )
    assert set(by_person(extract_rows(team, Q3), case)) == {"ann", "cy"}
