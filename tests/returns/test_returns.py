"""The quarterly return: known answers from a hand-built team, the PDF and CSV agreeing, the
task's states, sign-off locking, and who may see it."""

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.services import assessment_save
from caseload.models import Allocation, Episode
from mdt import services as mdt
from mdt.models import MdtMeeting, MdtReferral
from referrals.models import Referral
from returns import services
from returns.figures import SPLITS, build_return
from returns.models import QuarterlyReturn, ReturnDownload
from returns.render import suppressed, to_csv, to_pdf
from returns.tasks import figures_as_data, quarterly_return_build
from smd.models import Role
from smd.quarters import Quarter
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    dsa_for_mdt,
    share_for_mdt,
)

Q3 = Quarter(2025, 3)  # 1 October to 31 December 2025


def at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def splits(everyone, **groups):
    """A figure's values for every split: the groups not named are 0."""
    return {split: groups.get(split, 0) for split in SPLITS} | {"all": everyone}


@pytest.fixture
def known(team, shipped_schemes):
    """A team whose Q3 2025/26 figures are worked out by hand in each test.

    On 31 December 2025: Ann is 22 (16-25), disabled and a domestic-abuse survivor (her
    referral says so); Bea is 35 (26-35); Cal is 41 from an approximate age (36-49), disability
    not known; Dan is 55; Eve's age is not known."""
    from assessments.models import AssessmentScheme

    # Staff who joined before the quarter: capacity is read as their records stood at its end.
    joined = {"team": team, "date_joined": at(date(2025, 4, 1))}
    nav = UserFactory(role=Role.NAVIGATOR, fte=Decimal("1.0"), specialism="women", **joined)
    nav2 = UserFactory(role=Role.NAVIGATOR, fte=Decimal("0.5"), **joined)
    peer = UserFactory(role=Role.PEER_MENTOR, planned_hours=Decimal("9"), **joined)
    people = {
        # name: (gender, ethnicity, start, end)
        "ann": ("woman", "black_african", date(2025, 10, 1), None),  # starts on the first day
        "bea": (
            "woman",
            "white_british",
            date(2025, 6, 1),
            date(2025, 12, 31),
        ),  # ends on the last day
        "cal": ("man", "white_irish", date(2025, 7, 1), None),
        "dan": ("man", "white_british", date(2026, 1, 1), None),  # starts the day after: not active
        "eve": ("woman", "not_known", date(2025, 5, 1), date(2025, 9, 30)),  # ended the day before
    }
    about = {
        # name: (date of birth, approximate age and when recorded, disability)
        "ann": (date(2003, 6, 15), None, None, "yes"),
        "bea": (date(1990, 1, 1), None, None, "no"),
        "cal": (None, 40, date(2024, 12, 31), "not_known"),
        "dan": (date(1970, 1, 1), None, None, "yes"),
        "eve": (None, None, None, "prefer_not"),
    }
    made = {}
    for name, (gender, ethnicity, start, end) in people.items():
        born, approximate, recorded, disability = about[name]
        person = PersonFactory(
            team=team,
            first_name=name.title(),
            gender=gender,
            ethnicity=ethnicity,
            date_of_birth=born,
            approximate_age=approximate,
            approximate_age_recorded_on=recorded,
            disability=disability,
        )
        episode = EpisodeFactory(
            person=person,
            start_date=start,
            accepted_on=start,
            status="closed" if end else "active",
            end_date=end,
            exit_destination="other_support" if end else "",
            ending_planned=True if end else None,
        )
        made[name] = (person, episode)
    AllocationFactory(
        episode=made["ann"][1],
        worker=nav,
        kind=Allocation.Kind.LEAD_NAVIGATOR,
        started_at=at(date(2025, 10, 1)),
    )
    AllocationFactory(
        episode=made["cal"][1],
        worker=nav2,
        kind=Allocation.Kind.LEAD_NAVIGATOR,
        started_at=at(date(2025, 7, 2)),
    )
    AllocationFactory(
        episode=made["ann"][1],
        worker=peer,
        kind=Allocation.Kind.PEER_MENTOR,
        started_at=at(date(2025, 10, 2)),
    )
    probation = OrganisationFactory(name="Probation", sector="probation")
    for day, org, person in [
        (date(2025, 10, 1), probation, made["ann"][0]),
        (date(2025, 12, 31), probation, None),
        (date(2025, 11, 5), None, made["cal"][0]),
        (date(2025, 9, 30), probation, None),  # the quarter before
    ]:
        referral = ReferralFactory(
            team=team,
            referrer_organisation=org,
            is_self_referral=org is None,
            person=person,
            domestic_abuse=person == made["ann"][0],
        )
        Referral.objects.filter(pk=referral.pk).update(created_at=at(day))
    standard = AssessmentScheme.objects.get(code="ndt-standard", version=1)
    for on, rest in [(date(2025, 10, 2), 3), (date(2025, 12, 20), 1)]:
        assessment_save(
            person=made["ann"][0],
            episode=made["ann"][1],
            scheme=standard,
            assessed_on=on,
            assessor=nav,
            participation="yes",
            scores={i.key: rest for i in standard.items.all()},
            notes={},
            complete=True,
            by=nav,
        )
    chair = UserFactory(role=Role.MDT_CHAIR, team=team)
    meeting = mdt.meeting_create(
        meeting=MdtMeeting(team=team, starts_at=at(date(2025, 11, 10)), place="x", chair=chair),
        organisations=[probation],
        members=[],
    )
    referral = MdtReferral.objects.create(
        person=made["ann"][0],
        source="self",
        referring_organisation=team.organisation,
        referred_by=nav,
        why_now="x",
        tried="x",
        asked_of_partners="x",
        sharing_basis="agreed",
    )
    MdtReferral.objects.filter(pk=referral.pk).update(created_at=at(date(2025, 11, 1)))
    share_for_mdt(made["ann"][0], probation, by=nav)
    item = mdt.agenda_add(meeting=meeting, person=made["ann"][0], mdt_referral=referral)
    mdt.case_notes_save(item=item, version=0, notes="", decisions="", outcome="resolved", by=chair)
    meeting.invitations.update(attendance="present")
    MdtMeeting.objects.filter(pk=meeting.pk).update(status="held")
    return made


def figures(team):
    return {f.key: f for f in build_return(team, Q3).figures}


def test_caseload_figures_at_the_quarter_edges(team, known):
    f = figures(team)
    # Active at 31 Dec: Ann (started 1 Oct) and Cal; Bea ended on 31 Dec, so not active after it;
    # Dan starts the day after; Eve ended the day before the quarter.
    assert f["active_at_end"].values == splits(
        2, women=1, ethnic_minority=2, survivor=1, disabled=1, age_16_25=1, age_36_49=1
    )
    assert f["new_starts"].values == splits(
        1, women=1, ethnic_minority=1, survivor=1, disabled=1, age_16_25=1
    )
    assert f["endings"].values == splits(1, women=1, age_26_35=1)
    assert f["endings_other_support"].values["all"] == 1
    # Days on service: Ann 91 (1 Oct-31 Dec), Cal 183 (1 Jul-31 Dec), Bea 213 (1 Jun-31 Dec).
    assert f["average_days"].values == {
        "all": round((91 + 183 + 213) / 3, 1),
        "women": round((91 + 213) / 2, 1),
        "ethnic_minority": round((91 + 183) / 2, 1),
        "survivor": 91,
        "disabled": 91,
        "age_16_25": 91,
        "age_26_35": 213,
        "age_36_49": 183,
        "age_50_plus": None,
    }
    assert f["navigator_places"].values["all"] == 12  # 1.0 x 8 + 0.5 x 8
    assert f["navigator_caseload"].values["all"] == 2
    assert f["peer_mentor_hours"].values["all"] == 9.0
    assert f["supported_by_specialist"].values == splits(
        1, women=1, ethnic_minority=1, survivor=1, disabled=1, age_16_25=1
    )
    assert f["supported_by_peer_mentor"].values["all"] == 1


def test_referral_figures(team, known):
    f = figures(team)
    # 1 Oct and 31 Dec count; 30 Sep does not.
    assert f["referrals_received"].values["all"] == 3
    assert f["referrals_source_probation"].values["all"] == 2
    assert f["referrals_source_self_referral"].values["all"] == 1
    assert f["referrals_sector_probation"].values["all"] == 2
    assert f["referrals_waiting"].values["all"] == 4  # none decided, including last quarter's


def test_outcome_mdt_and_data_quality_figures(team, known):
    f = figures(team)
    # Ann: standard 36 at baseline (every item 3), 12 at review: change -24, improved.
    assert f["ndt_standard_people"].values == splits(
        1, women=1, ethnic_minority=1, survivor=1, disabled=1, age_16_25=1
    )
    assert f["ndt_standard_mean_change"].values["all"] == -24
    assert f["ndt_standard_improved"].values["all"] == 100.0
    assert f["mdt_meetings_held"].values["all"] == 1
    assert f["mdt_successful_outcomes"].values == splits(
        1, women=1, ethnic_minority=1, survivor=1, disabled=1, age_16_25=1
    )
    assert f["mdt_referrals_the_person_s_own_request"].values["all"] == 1
    assert f["ndt_baseline_missing"].values["all"] == 1  # Cal
    assert f["recorded_ethnicity"].values["all"] == 100.0


def test_small_numbers_are_suppressed_in_the_pdf_only(team, known):
    data = figures_as_data(build_return(team, Q3))
    new_starts = next(f for f in data if f["key"] == "new_starts")
    assert suppressed(new_starts, "all") == "<5"
    zero = next(f for f in data if f["key"] == "endings_prison")
    assert suppressed(zero, "all") == 0
    rows = list(csv.reader(io.StringIO(to_csv(data, quarter=Q3, team=team))))
    assert "Exact figures" in rows[0][0]
    assert rows[3][:6] == ["Caseload and capacity", "new_starts", "New starts", "1", "1", "1"]


def test_pdf_has_every_section_and_the_csv_figures(team, known):
    data = figures_as_data(build_return(team, Q3))
    pdf = to_pdf(data, quarter=Q3, team=team, version=1)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    last = -1
    for heading in [
        "Caseload and capacity",
        "Team capacity",
        "Referrals",
        "Outcomes",
        "MDT",
        "Domestic abuse",
        "Information sharing",
        "Equity",
        "Data quality",
        "Glossary",
    ]:
        position = text.find(heading, last + 1)
        assert position > last, heading
        last = position
    assert "South West London and St George" in text
    # Every figure's row, label and cells, as the PDF shows it ("<5" for small counts): every
    # split for split figures, one value for plain numbers.
    for f in data:
        shown = SPLITS if f["kind"] != "number" else ["all"]
        row = " ".join([f["label"], *[str(suppressed(f, split)) for split in shown]])
        assert row in text, row
    assert "Navigator places 12" in text
    assert "People active at quarter end <5 <5 <5 <5 <5 <5 0 <5 0" in text


def test_the_task_builds_a_version_and_never_touches_another(team, known, team_leader):
    manager = UserFactory(role=Role.MANAGER, team=team)
    first = services.return_request(team=team, quarter=Q3, by=manager)
    quarterly_return_build(str(first.pk))
    first.refresh_from_db()
    assert first.status == "done" and first.pdf and first.csv and first.figures
    second = services.return_request(team=team, quarter=Q3, by=manager)
    assert second.version == 2
    quarterly_return_build(str(second.pk))
    quarterly_return_build(str(first.pk))  # run again: a finished version is left alone
    first.refresh_from_db()
    assert first.status == "done"


def test_a_failure_is_recorded_with_its_message(team, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the NDT selector fell over")

    monkeypatch.setattr("returns.tasks.build_return", broken)
    qr = QuarterlyReturn.objects.create(team=team, quarter=Q3.label, version=1)
    quarterly_return_build(str(qr.pk))
    qr.refresh_from_db()
    assert qr.status == "failed" and "the NDT selector fell over" in qr.error


def test_a_signed_off_version_never_changes(team, known):
    manager = UserFactory(role=Role.MANAGER, team=team)
    qr = services.return_request(team=team, quarter=Q3, by=manager)
    quarterly_return_build(str(qr.pk))
    qr.refresh_from_db()
    services.return_sign_off(quarterly_return=qr, by=manager)
    before = (qr.figures, qr.pdf.name, qr.csv.name)
    # More people arrive afterwards and the task is run again on the same version.
    PersonFactory.create_batch(3, team=team)
    EpisodeFactory(person=PersonFactory(team=team), start_date=date(2025, 11, 1))
    quarterly_return_build(str(qr.pk))
    # A signed-off version cannot be put back into building: the database refuses.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        QuarterlyReturn.objects.filter(pk=qr.pk).update(status="running")
    qr.refresh_from_db()
    assert (qr.figures, qr.pdf.name, qr.csv.name) == before
    assert qr.signed_off_by == manager


def test_manager_generates_watches_downloads_and_every_download_is_recorded(
    client_for, team, known, django_capture_on_commit_callbacks
):
    manager = UserFactory(role=Role.MANAGER, team=team)
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("returns:generate"), {"quarter": "2025/26 Q3"})
    assert response.status_code == 302
    qr = QuarterlyReturn.objects.get()
    row = client.get(reverse("returns:status", args=[qr.pk])).content.decode()
    assert "Ready" in row and 'hx-trigger="every 2s"' not in row
    pdf = client.get(reverse("returns:download_pdf", args=[qr.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert ReturnDownload.objects.get().user == manager


def test_a_pending_row_polls_until_done(client_for, team):
    manager = UserFactory(role=Role.MANAGER, team=team)
    qr = QuarterlyReturn.objects.create(team=team, quarter=Q3.label, version=1)
    row = client_for(manager).get(reverse("returns:status", args=[qr.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in row


def test_bad_quarter_is_a_message_not_a_500(client_for, team):
    manager = UserFactory(role=Role.MANAGER, team=team)
    response = client_for(manager).post(
        reverse("returns:generate"), {"quarter": "2025/27 Q9"}, follow=True
    )
    assert "is not" in response.content.decode()
    assert not QuarterlyReturn.objects.exists()


def test_counts_link_to_the_people_behind_them(client_for, team, known):
    manager = UserFactory(role=Role.MANAGER, team=team)
    client = client_for(manager)
    page = client.get(reverse("returns:live"), {"quarter": Q3.label}).content.decode()
    assert "figure=active_at_end" in page
    people = client.get(
        reverse("returns:people"),
        {"quarter": Q3.label, "figure": "active_at_end", "split": "women"},
    ).content.decode()
    # By the links to their records: a made-up staff name in the navigation may contain "Cal".
    ann, cal = known["ann"][0], known["cal"][0]
    assert ann.get_absolute_url() in people and cal.get_absolute_url() not in people


def test_cli_builds_the_same_return(team, known, tmp_path):
    from django.core.management import call_command

    call_command(
        "quarterly_return",
        "2025/26-Q3",
        "--team",
        team.name,
        "--pdf",
        str(tmp_path / "r.pdf"),
        "--csv",
        str(tmp_path / "r.csv"),
    )
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert "new_starts" in (tmp_path / "r.csv").read_text()


def test_the_schedule_is_in_the_database(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="returns.tasks.previous_quarter_returns")
    assert (task.crontab.hour, task.crontab.day_of_month, task.crontab.month_of_year) == (
        "2",
        "1",
        "1,4,7,10",
    )


def test_previous_quarter_task_queues_last_quarter(team):
    from returns.tasks import previous_quarter_returns
    from smd.outbox.models import OutboxMessage

    previous_quarter_returns()
    qr = QuarterlyReturn.objects.get()
    assert qr.quarter == Quarter.containing(timezone.localdate()).previous().label
    assert qr.requested_by is None
    # Its build is queued through the outbox, with the version.
    build = OutboxMessage.objects.get()
    assert build.task == "returns.tasks.quarterly_return_build"
    assert build.kwargs == {"return_id": str(qr.pk)}


def test_outcome_figures_for_events_accommodation_and_budgets(team, known):
    from caseload.outcomes import services as outcomes

    ann, ann_episode = known["ann"]
    cal, cal_episode = known["cal"]
    nav = ann_episode.allocations.get(kind=Allocation.Kind.LEAD_NAVIGATOR).worker
    # Cal began in Q2 (1 July): 3 A&E visits in Q2, 1 in Q3; 4 nights rough sleeping in Q2.
    for day in [date(2025, 7, 10), date(2025, 8, 1), date(2025, 9, 30), date(2025, 10, 1)]:
        outcomes.service_event_record(
            person=cal, by=nav, kind="ae_attendance", occurred_on=day, source="self_reported"
        )
    outcomes.service_event_record(
        person=cal,
        by=nav,
        kind="rough_sleeping",
        occurred_on=date(2025, 9, 1),
        quantity=4,
        source="self_reported",
    )
    outcomes.accommodation_record(person=cal, by=nav, status="hostel", from_date=date(2025, 7, 1))
    outcomes.accommodation_record(
        person=cal, by=nav, status="settled", from_date=date(2025, 12, 31)
    )
    outcomes.accommodation_record(person=ann, by=nav, status="hostel", from_date=date(2025, 10, 1))
    budget = outcomes.budget_offer(
        person=ann, by=nav, amount_offered=Decimal("500.00"), offered_on=date(2025, 10, 3)
    )
    for amount in ["12.10", "0.20"]:
        outcomes.budget_spend_record(
            budget=budget,
            by=nav,
            spent_on=date(2025, 11, 1),
            amount=Decimal(amount),
            purpose="Bus pass",
            approved_by=nav,
        )
    f = figures(team)
    # Only Cal began before Q3 (Ann began on its first day).
    assert f["events_people_compared"].values["all"] == 1
    assert f["events_ae_attendance_first"].values == splits(3, ethnic_minority=3, age_36_49=3)
    assert f["events_ae_attendance_this"].values["all"] == 1
    assert f["events_rough_sleeping_first"].values["all"] == 4
    assert f["accommodation_settled"].values["all"] == 1  # Cal, from the last day of Q3
    assert f["accommodation_hostel"].values["all"] == 1  # Ann
    assert f["budgets_offered"].values == splits(
        1, women=1, ethnic_minority=1, survivor=1, disabled=1, age_16_25=1
    )
    assert f["budgets_share"].values["all"] == 50.0
    assert f["budgets_spent"].values["all"] == 12.30


def test_a_late_duplicate_build_cannot_undo_a_sign_off(team, known, monkeypatch):
    """A redelivered copy finishes first and the version is signed off; the original run then
    completes. It must leave the signed-off version exactly as it was."""
    manager = UserFactory(role=Role.MANAGER, team=team)
    qr = QuarterlyReturn.objects.create(
        team=team, quarter=Q3.label, version=1, requested_by=manager
    )
    real_build = build_return

    def build_then_race(*args, **kwargs):
        result = real_build(*args, **kwargs)
        # While this run renders, the duplicate finishes and a manager signs it off.
        QuarterlyReturn.objects.filter(pk=qr.pk).update(
            status="done",
            figures=[{"key": "signed"}],
            signed_off_by=manager,
            signed_off_at=timezone.now(),
        )
        return result

    monkeypatch.setattr("returns.tasks.build_return", build_then_race)
    quarterly_return_build(str(qr.pk))
    qr.refresh_from_db()
    assert qr.signed_off_by == manager and qr.figures == [{"key": "signed"}]


def test_attendance_counts_meetings_not_members(team, known):
    meeting = MdtMeeting.objects.get(team=team)
    probation = meeting.invitations.get().organisation
    for _ in range(2):
        member = UserFactory(role=Role.MDT_MEMBER, team=None, organisation=probation)
        meeting.invitations.create(organisation=probation, member=member, attendance="present")
    assert figures(team)["mdt_attendance_probation"].values["all"] == 1


def test_a_person_with_two_episodes_counts_once_on_the_ndt(team, known):
    from assessments.models import AssessmentScheme

    ann, first = known["ann"]
    standard = AssessmentScheme.objects.get(code="ndt-standard", version=1)
    nav = first.allocations.get(kind=Allocation.Kind.LEAD_NAVIGATOR).worker
    Episode.objects.filter(pk=first.pk).update(
        status="closed",
        end_date=date(2025, 12, 21),
        exit_destination="other_support",
        ending_planned=True,
    )
    second = EpisodeFactory(
        person=ann, start_date=date(2025, 12, 22), accepted_on=date(2025, 12, 22)
    )
    for on, rest in [(date(2025, 12, 22), 1), (date(2025, 12, 30), 4)]:
        assessment_save(
            person=ann,
            episode=second,
            scheme=standard,
            assessed_on=on,
            assessor=nav,
            participation="yes",
            scores={i.key: rest for i in standard.items.all()},
            notes={},
            complete=True,
            by=nav,
        )
    f = figures(team)
    assert f["ndt_standard_people"].values["all"] == 1
    assert f["ndt_standard_mean_change"].values["all"] == 36  # her latest episode: 12 -> 48


def test_figure_keys_from_similar_names_do_not_collide(team, known):
    for name in ["St Mungo's", "St Mungo s"]:
        ReferralFactory(team=team, referrer_organisation=OrganisationFactory(name=name))
        Referral.objects.filter(referrer_organisation__name=name).update(
            created_at=at(date(2025, 11, 1))
        )
    keys = [f.key for f in build_return(team, Q3).figures]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("label", ["9999/00 Q4", "2025/26 Q9", "nonsense"])
def test_an_impossible_quarter_falls_back_instead_of_failing(client_for, team, label):
    manager = UserFactory(role=Role.MANAGER, team=team)
    assert client_for(manager).get(reverse("returns:live"), {"quarter": label}).status_code == 200


def test_another_teams_manager_cannot_reach_this_teams_returns(client_for, team, other_team):
    qr = QuarterlyReturn.objects.create(team=team, quarter=Q3.label, version=1, status="done")
    outsider = client_for(UserFactory(role=Role.MANAGER, team=other_team))
    for name in ["returns:status", "returns:download_pdf", "returns:sign_off"]:
        method = outsider.post if name == "returns:sign_off" else outsider.get
        assert method(reverse(name, args=[qr.pk])).status_code == 404


def test_the_source_chart_never_prints_a_small_number(team):
    from returns.render import charts

    figures = [
        {"key": "referrals_source_a", "label": "Referrals from A", "values": {"all": 7}},
        {"key": "referrals_source_b", "label": "Referrals from B", "values": {"all": 3}},
        {"key": "referrals_source_c", "label": "Referrals from C", "values": {"all": 1}},
        {
            "key": "navigator_capacity",
            "label": "c",
            "kind": "number",
            "values": {"all": 8},
            "counts_people": False,
        },
        {
            "key": "navigator_caseload",
            "label": "l",
            "kind": "number",
            "values": {"all": 6},
            "counts_people": True,
        },
    ]
    svg = str(charts(figures)["referrals_by_source"])
    assert ">A<" in svg and ">B<" not in svg and ">C<" not in svg
    assert "Other sources" not in svg  # 3 + 1 = 4 is still small


def test_means_and_shares_over_few_people_are_suppressed_in_the_pdf(team, known):
    data = {f["key"]: f for f in figures_as_data(build_return(team, Q3))}
    # Ann alone has a baseline and a review: her own scores must not be printed.
    assert data["ndt_standard_mean_change"]["bases"]["all"] == 1
    assert suppressed(data["ndt_standard_mean_change"], "all") == "n<5"
    assert suppressed(data["ndt_standard_improved"], "women") == "n<5"
    rows = list(csv.reader(io.StringIO(to_csv(list(data.values()), quarter=Q3, team=team))))
    exact = next(r for r in rows if len(r) > 1 and r[1] == "ndt_standard_mean_change")
    assert float(exact[3]) == -24  # the CSV for managers keeps the exact figure


def test_information_sharing_figures(team, known):
    """Agreements in force on 31 December 2025, new in the quarter and overdue for review; and
    people who withdrew MDT sharing in the quarter (once each)."""
    from sharing.models import SharingAgreement

    manager = UserFactory(role=Role.MANAGER, team=team)
    probation = OrganisationFactory(name="Probation")
    housing = OrganisationFactory(name="City Housing")
    elsewhere = OrganisationFactory(name="Not a party")
    for start, review, ended, parties in [
        (date(2024, 4, 1), date(2026, 4, 1), None, [team.organisation, probation]),  # in force
        (date(2025, 11, 1), date(2026, 11, 1), None, [team.organisation, housing]),  # new
        (date(2023, 1, 1), date(2025, 6, 1), None, [team.organisation, housing]),  # overdue
        (date(2023, 1, 1), date(2024, 1, 1), date(2025, 12, 31), [team.organisation, probation]),
        (date(2026, 1, 1), date(2027, 1, 1), None, [team.organisation, probation]),  # later
        (date(2024, 1, 1), date(2027, 1, 1), None, [probation, elsewhere]),  # not ours
    ]:
        dsa_for_mdt(*parties, by=manager, start_on=start, review_on=review, ended_on=ended)
    ann, bea = known["ann"][0], known["bea"][0]
    for person, when in [
        (ann, date(2025, 10, 3)),
        (ann, date(2025, 12, 1)),
        (bea, date(2026, 1, 2)),
    ]:
        (agreement,) = share_for_mdt(person, probation, by=manager)
        SharingAgreement.objects.filter(pk=agreement.pk).update(
            withdrawn_at=at(when), withdrawn_by=manager
        )
    f = figures(team)
    assert f["dsa_in_force"].values["all"] == 3
    assert f["dsa_new"].values["all"] == 1
    assert f["dsa_review_overdue"].values["all"] == 1
    assert f["mdt_sharing_withdrawn"].values["all"] == 1
    assert f["mdt_sharing_withdrawn"].people["all"] == [str(ann.pk)]
    assert f["dsa_in_force"].section == "Information sharing"
    text = to_csv(figures_as_data(build_return(team, Q3)), quarter=Q3, team=team)
    assert "Data-sharing agreements in force" in text and "review date had passed" in text
