"""The return's equity splits, its newer measures and the PDF's suppression of every count of
people, each worked out by hand on the known team (see `known` in test_returns.py)."""

import csv
import io
import re
import uuid
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils.html import escape
from pypdf import PdfReader

from caseload import services as caseload
from caseload.models import Allocation, Episode
from caseload.outcomes import services as outcomes
from mdt import services as mdt
from mdt.models import Invitation, MdtMeeting
from referrals import services as referrals
from referrals.models import Referral
from returns.figures import SPLIT_DEFINITIONS, SPLITS, build_return
from returns.render import charts, pdf_html, suppressed, to_csv, to_pdf
from returns.tasks import figures_as_data
from smd.characteristics import age_band, age_on
from smd.models import Role
from tests.factories import (
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)
from tests.returns import test_returns
from tests.returns.test_returns import Q3, at, figures, splits

known = test_returns.known  # the hand-counted team, shared as a fixture

ANN_ONLY = {"women": 1, "ethnic_minority": 1, "survivor": 1, "disabled": 1, "age_16_25": 1}


def navigator_of(known):
    return known["ann"][1].allocations.get(kind=Allocation.Kind.LEAD_NAVIGATOR).worker


# --- the splits ---------------------------------------------------------------------------------


def test_age_on_the_last_day_of_the_quarter_sets_the_band():
    born = date(2000, 1, 1)
    kwargs = {"date_of_birth": born, "approximate_age": None, "approximate_age_recorded_on": None}
    assert age_band(age_on(**kwargs, on=date(2025, 12, 31))) == "16_25"  # 25 on the last day
    assert age_band(age_on(**kwargs, on=date(2026, 1, 1))) == "26_35"  # 26 the day after
    # No date of birth: 40 when recorded a year before, 41 now.
    assert (
        age_on(
            date_of_birth=None,
            approximate_age=40,
            approximate_age_recorded_on=date(2024, 12, 31),
            on=date(2025, 12, 31),
        )
        == 41
    )
    assert age_band(None) is None and age_band(15) is None and age_band(50) == "50_plus"


def test_a_survivor_is_someone_whose_referral_recorded_domestic_abuse(team, known):
    bea = known["bea"][0]
    # A referral naming domestic abuse but not linked to Bea does not make her a survivor.
    unlinked = ReferralFactory(team=team, domestic_abuse=True, person=None)
    Referral.objects.filter(pk=unlinked.pk).update(created_at=at(date(2024, 1, 1)))
    assert figures(team)["endings"].values["survivor"] == 0
    linked = ReferralFactory(team=team, domestic_abuse=True, person=bea)
    Referral.objects.filter(pk=linked.pk).update(created_at=at(date(2024, 1, 1)))
    assert figures(team)["endings"].values == splits(1, women=1, survivor=1, age_26_35=1)


def test_every_figure_but_plain_numbers_carries_every_split(team, known):
    for f in build_return(team, Q3).figures:
        if f.kind != "number":
            assert set(f.values) == set(SPLITS), f.key


# --- accommodation change since starting -------------------------------------------------------


def test_accommodation_change_since_the_person_started(team, known):
    nav = navigator_of(known)
    ann, bea, cal = known["ann"][0], known["bea"][0], known["cal"][0]
    record = outcomes.accommodation_record
    # Cal began on 1 July sleeping rough (recorded before), moved to a hostel, then a tenancy
    # on the last day of the quarter: into settled and out of rough sleeping.
    record(person=cal, by=nav, status="rough_sleeping", from_date=date(2025, 6, 20))
    record(person=cal, by=nav, status="hostel", from_date=date(2025, 8, 1))
    record(person=cal, by=nav, status="settled", from_date=date(2025, 12, 31))
    # Ann's first record came after she began (1 October): rough sleeping then, still now.
    record(person=ann, by=nav, status="rough_sleeping", from_date=date(2025, 10, 5))
    # Bea (ended 31 December) went from temporary accommodation to a tenancy in November; a
    # move after the quarter does not count.
    record(person=bea, by=nav, status="temporary", from_date=date(2025, 6, 1))
    record(person=bea, by=nav, status="settled", from_date=date(2025, 11, 1))
    record(person=bea, by=nav, status="rough_sleeping", from_date=date(2026, 1, 5))
    # Dan starts after the quarter: not counted, whatever his record says.
    record(person=known["dan"][0], by=nav, status="settled", from_date=date(2025, 10, 1))
    f = figures(team)
    assert f["accommodation_change_people"].values == splits(
        3,
        women=2,
        ethnic_minority=2,
        **{k: 1 for k in ["survivor", "disabled", "age_16_25"]},
        age_26_35=1,
        age_36_49=1,
    )
    assert f["accommodation_into_settled"].values == splits(
        2, women=1, ethnic_minority=1, age_26_35=1, age_36_49=1
    )
    assert f["accommodation_out_of_rough_sleeping"].values == splits(
        1, ethnic_minority=1, age_36_49=1
    )
    assert f["accommodation_into_settled"].people["all"] == sorted([str(bea.pk), str(cal.pk)])


# --- MDT attendance -----------------------------------------------------------------------------


def test_mdt_attendance_invited_against_attended_with_apologies(team, known):
    probation = Invitation.objects.get(meeting__team=team).organisation  # present on 10 Nov
    housing = OrganisationFactory(name="City Housing")
    one, two = (UserFactory(role=Role.MDT_MEMBER, team=None, organisation=housing) for _ in "12")
    chair = UserFactory(role=Role.MDT_CHAIR, team=team)
    meeting = mdt.meeting_create(
        meeting=MdtMeeting(team=team, starts_at=at(date(2025, 12, 1)), place="x", chair=chair),
        organisations=[probation],
        members=[one, two],
    )
    invitations = {(i.organisation_id, i.member_id): i for i in meeting.invitations.all()}
    mdt.attendance_record(
        meeting=meeting,
        attendance={
            str(invitations[(probation.pk, None)].pk): "apologies",
            # One of Housing's two came; the other's apologies do not make it an absence.
            str(invitations[(housing.pk, one.pk)].pk): "present",
            str(invitations[(housing.pk, two.pk)].pk): "apologies",
        },
    )
    mdt.meeting_finish(meeting=meeting)
    # A meeting planned but never held invites nobody to anything.
    mdt.meeting_create(
        meeting=MdtMeeting(team=team, starts_at=at(date(2025, 12, 15)), place="x", chair=chair),
        organisations=[probation, housing],
        members=[],
    )
    f = figures(team)
    assert [
        f[f"mdt_{what}_probation"].values["all"] for what in ["invited", "attendance", "apologies"]
    ] == [2, 1, 1]
    assert [
        f[f"mdt_{what}_city_housing"].values["all"]
        for what in ["invited", "attendance", "apologies"]
    ] == [1, 1, 0]
    assert f["mdt_invited_probation"].label == "MDT meetings Probation was invited to"


# --- referrals by month -------------------------------------------------------------------------


def test_referrals_by_month_within_the_quarter(team, known):
    # 23:30 on 30 November in London is still November.
    late = ReferralFactory(team=team, referrer_organisation=None, is_self_referral=True)
    Referral.objects.filter(pk=late.pk).update(created_at=at(date(2025, 11, 30), hour=23))
    f = figures(team)
    assert f["referrals_month_2025_10"].values == splits(1, **ANN_ONLY)  # Ann's, 1 October
    assert f["referrals_month_2025_11"].values == splits(
        2, ethnic_minority=1, age_36_49=1
    )  # Cal's and the late one (no person yet: all only)
    assert f["referrals_month_2025_12"].values["all"] == 1
    assert f["referrals_month_2025_10"].label == "Referrals received in October 2025"
    months = sum(f[f"referrals_month_2025_{m}"].values["all"] for m in ["10", "11", "12"])
    assert months == f["referrals_received"].values["all"] == 4


# --- personal budgets ---------------------------------------------------------------------------


def test_budgets_offered_spent_and_balance(team, known):
    nav = navigator_of(known)
    ann, cal = known["ann"][0], known["cal"][0]

    def spend(budget, day, amount):
        outcomes.budget_spend_record(
            budget=budget,
            by=nav,
            spent_on=day,
            amount=Decimal(amount),
            purpose="Bus pass",
            approved_by=nav,
        )

    anns = outcomes.budget_offer(
        person=ann, by=nav, amount_offered=Decimal("500.00"), offered_on=date(2025, 10, 3)
    )
    spend(anns, date(2025, 11, 1), "12.10")
    spend(anns, date(2025, 11, 1), "0.20")
    spend(anns, date(2026, 1, 10), "100.00")  # after the quarter
    cals = outcomes.budget_offer(
        person=cal, by=nav, amount_offered=Decimal("300.00"), offered_on=date(2025, 8, 1)
    )
    spend(cals, date(2025, 9, 1), "50.00")  # the quarter before: spent to date, not this quarter
    spend(cals, date(2025, 12, 31), "25.50")
    f = figures(team)
    assert f["budgets_offered_amount"].values == splits(
        800.0,
        women=500.0,
        ethnic_minority=800.0,
        survivor=500.0,
        disabled=500.0,
        age_16_25=500.0,
        age_36_49=300.0,
    )
    assert f["budgets_spent_to_date"].values["all"] == 87.8  # 12.10 + 0.20 + 50 + 25.50
    assert f["budgets_balance"].values["all"] == 712.2
    assert f["budgets_balance"].values["age_36_49"] == 224.5  # Cal: 300 - 75.50
    assert f["budgets_spent"].values["all"] == 37.8  # in the quarter only
    data = {d["key"]: d for d in figures_as_data(build_return(team, Q3))}
    # Money is not a count of people: the PDF prints it, pounds and pence.
    assert suppressed(data["budgets_balance"], "survivor") == "£487.70"
    assert suppressed(data["budgets_offered"], "all") == "<5"  # two people offered one


# --- data quality -------------------------------------------------------------------------------


def test_people_accepted_but_not_yet_engaged(team, known):
    nav = navigator_of(known)
    fay = PersonFactory(team=team, first_name="Fay", gender="woman")
    referral = ReferralFactory(team=team, person=fay)
    Referral.objects.filter(pk=referral.pk).update(created_at=at(date(2025, 11, 20)))
    referrals.referral_decide(referral=referral, outcome="eligible", by=nav)
    Episode.objects.filter(person=fay).update(accepted_on=date(2025, 12, 1))
    # Gus was accepted in November and first reached in January: not engaged at quarter end.
    gus = PersonFactory(team=team, first_name="Gus", gender="man")
    EpisodeFactory(person=gus, accepted_on=date(2025, 11, 1), start_date=date(2026, 1, 10))
    # Hugh was accepted after the quarter: not counted.
    hugh = PersonFactory(team=team, first_name="Hugh")
    EpisodeFactory(
        person=hugh, accepted_on=date(2026, 1, 2), start_date=None, status="awaiting_allocation"
    )
    f = figures(team)
    assert f["accepted_not_engaged"].values["all"] == 2
    assert f["accepted_not_engaged"].values["women"] == 1
    assert f["accepted_not_engaged"].people["all"] == sorted([str(fay.pk), str(gus.pk)])


def test_people_with_no_contact_for_28_days(team, known):
    nav = navigator_of(known)
    ann, cal = known["ann"][0], known["cal"][0]

    def contact(person, day, kind="face_to_face"):
        caseload.contact_log(
            person=person,
            by=nav,
            submission_key=uuid.uuid4(),
            occurred_at=at(day, hour=9),
            kind=kind,
            duration_minutes=30,
            summary="Checked in.",
        )

    contact(ann, date(2025, 12, 4))  # the first of the 28 days to 31 December
    contact(cal, date(2025, 12, 3))  # the day before them
    contact(cal, date(2025, 12, 20), kind="attempted")  # an attempt is not contact
    # Ivy began 10 December: not yet 28 days on the caseload, so not a gap.
    EpisodeFactory(person=PersonFactory(team=team), start_date=date(2025, 12, 10))
    f = figures(team)
    assert f["no_contact_28_days"].values == splits(1, ethnic_minority=1, age_36_49=1)
    assert f["no_contact_28_days"].people["all"] == [str(cal.pk)]


# --- suppression: every count of people in the PDF ---------------------------------------------


class _Rows(HTMLParser):
    """The PDF page's table rows: (figure key, counts people, cell texts)."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-key" in attrs:
            self._row = (attrs["data-key"], attrs["data-counts-people"] == "yes", [])
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row[2].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None


@pytest.fixture
def small_everywhere(team, known):
    """The known team with one or two people behind nearly every figure."""
    nav = navigator_of(known)
    ann, cal = known["ann"][0], known["cal"][0]
    outcomes.accommodation_record(
        person=cal, by=nav, status="rough_sleeping", from_date=date(2025, 6, 20)
    )
    outcomes.accommodation_record(person=cal, by=nav, status="settled", from_date=date(2025, 12, 1))
    budget = outcomes.budget_offer(
        person=ann, by=nav, amount_offered=Decimal("250.00"), offered_on=date(2025, 10, 3)
    )
    outcomes.budget_spend_record(
        budget=budget,
        by=nav,
        spent_on=date(2025, 11, 1),
        amount=Decimal("40.00"),
        purpose="Phone",
        approved_by=nav,
    )
    for day in [date(2025, 7, 10), date(2025, 11, 2)]:
        outcomes.service_event_record(
            person=cal, by=nav, kind="ae_attendance", occurred_on=day, source="self_reported"
        )
    outcomes.outcomes_star_record(
        person=ann, by=nav, completed_on=date(2025, 11, 3), held_at="St Mungo's"
    )
    gus = PersonFactory(team=team, gender="woman", disability="yes", date_of_birth=date(1960, 5, 5))
    EpisodeFactory(
        person=gus, accepted_on=date(2025, 11, 1), start_date=None, status="awaiting_allocation"
    )
    return known


def test_no_count_of_people_in_the_pdf_is_1_to_4(team, small_everywhere):
    data = figures_as_data(build_return(team, Q3))
    html = pdf_html(data, quarter=Q3, team=team, version=1)
    parser = _Rows()
    parser.feed(html)
    rendered = {key: (people, cells) for key, people, cells in parser.rows}
    # Every figure is a row of the PDF: none escapes the walk.
    assert set(rendered) == {f["key"] for f in data}
    small = set()
    for f in data:
        people, cells = rendered[f["key"]]
        assert people == f["counts_people"]
        if f["counts_people"]:
            if any(1 <= v <= 4 for v in f["values"].values() if v is not None):
                small.add(f["key"])
            for cell in cells:
                assert cell not in {"1", "2", "3", "4"}, (f["key"], cells)
    # The data set puts no more than 4 people behind any figure, and 1 to 4 behind most of
    # them: the walk has something to catch wherever a count of people is printed.
    assert all((v or 0) <= 4 for f in data if f["counts_people"] for v in f["values"].values())
    assert len(small) >= 35
    assert {
        "navigator_caseload",
        "peer_mentor_cases",
        "outcomes_stars",
        "active_at_end",
        "accommodation_into_settled",
        "accommodation_out_of_rough_sleeping",
        "referrals_month_2025_10",
        "budgets_offered",
        "accepted_not_engaged",
        "no_contact_28_days",
        "events_ae_attendance_this",
    } <= small
    # And every split column has a small count somewhere.
    for split in SPLITS:
        assert any(f["counts_people"] and 1 <= (f["values"].get(split) or 0) <= 4 for f in data), (
            split
        )
    # The capacity chart leaves out a caseload of 1 to 4 rather than print it.
    assert "Navigator caseload" not in str(charts(data)["capacity"])
    text = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(to_pdf(data, quarter=Q3, team=team, version=1))).pages
    )
    assert "Peer-mentor cases at quarter end <5" in text
    assert "Navigator caseload at quarter end <5" in text
    # Places are capacity, not people: printed as they are, however few.
    places = next(f for f in data if f["key"] == "navigator_places")["values"]["all"]
    assert f"Navigator places {places}" in text


def test_the_glossary_and_the_csv_carry_every_figure_exactly(team, small_everywhere):
    data = figures_as_data(build_return(team, Q3))
    html = pdf_html(data, quarter=Q3, team=team, version=1)
    for f in data:
        assert f"<dt>{escape(f['label'])}</dt><dd>{escape(f['definition'])}</dd>" in html
    for definition in SPLIT_DEFINITIONS.values():
        assert escape(definition) in html
    rows = list(csv.reader(io.StringIO(to_csv(data, quarter=Q3, team=team))))
    assert "Exact figures" in rows[0][0]
    header = rows[1]
    assert header[3:12] == [
        "All",
        "Women",
        "Ethnic minority",
        "Domestic-abuse survivors",
        "Disabled",
        "Age 16–25",
        "Age 26–35",
        "Age 36–49",
        "Age 50 and over",
    ]
    by_key = {r[1]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert set(by_key) == {f["key"] for f in data}
    # Exact, small numbers included.
    assert by_key["peer_mentor_cases"]["All"] == "1"
    assert by_key["peer_mentor_cases"]["counts people"] == "yes"
    assert by_key["accommodation_into_settled"]["Age 36–49"] == "1"
    assert by_key["budgets_balance"]["All"] == "210.0"
    assert by_key["budgets_balance"]["counts people"] == "no"
    assert by_key["accepted_not_engaged"]["Disabled"] == "1"
    assert re.search(r"\d", by_key["mdt_invited_probation"]["All"])
