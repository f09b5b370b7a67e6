"""The return's domestic-abuse section and its data-quality lines, against a case built by hand:
four women and two men, checklists and MARAC referrals inside and outside 2025/26 Q3 (October
to December 2025), every count split like the rest and suppressed in the PDF the same way."""

from datetime import date

import pytest

from caseload.models import EventKind, ServiceEvent
from domestic_abuse.services import checklist_record, definition_import, marac_refer
from returns.figures import build_return
from returns.render import suppressed
from returns.tasks import figures_as_data
from smd.models import Role
from smd.quarters import Quarter
from tests.domestic_abuse.conftest import answers, dash_data
from tests.factories import EpisodeFactory, PersonFactory, ReferralFactory, UserFactory

Q3 = Quarter(2025, 3)


@pytest.fixture
def case(team):
    """Ann (woman, White British survivor): standard in September, high (16 yes) in October,
    referred to the MARAC in October and again in November (a repeat).
    Bea (woman, Pakistani survivor): high on judgement in November; referred in December.
    Cat (woman, survivor): no checklist at all; a police call-out in November.
    Dot (woman, survivor): standard in October, then a domestic-abuse incident in December.
    Eli (man, White British): escalation in Q2 only, nothing in Q3.
    Fin (man, Indian, not a survivor): standard in Q3."""
    by = UserFactory(role=Role.NAVIGATOR, team=team)
    dash = definition_import(data=dash_data())
    people = {}
    for name, gender, ethnicity, survivor in [
        ("Ann", "woman", "white_british", True),
        ("Bea", "woman", "asian_pakistani", True),
        ("Cat", "woman", "white_british", True),
        ("Dot", "woman", "white_british", True),
        ("Eli", "man", "white_british", False),
        ("Fin", "man", "asian_indian", False),
    ]:
        person = PersonFactory(team=team, first_name=name, gender=gender, ethnicity=ethnicity)
        EpisodeFactory(person=person, accepted_on=date(2025, 4, 1), start_date=date(2025, 4, 2))
        ReferralFactory(team=team, person=person, domestic_abuse=survivor, status="eligible")
        people[name] = person

    def dash_on(name, on, yes, **kwargs):
        return checklist_record(
            person=people[name],
            definition=dash,
            completed_on=on,
            answers=answers(yes),
            by=by,
            **kwargs,
        )

    def refer(name, on):
        return marac_refer(
            person=people[name],
            referred_on=on,
            marac="City MARAC",
            criteria=["visible_high_risk"],
            sharing_basis="consent",
            by=by,
        )

    def event(name, kind, on):
        ServiceEvent.objects.create(
            person=people[name], kind=kind, occurred_on=on, source="partner_record", recorded_by=by
        )

    dash_on("Ann", date(2025, 9, 10), 3)
    dash_on("Ann", date(2025, 10, 5), 16)
    refer("Ann", date(2025, 10, 6))
    refer("Ann", date(2025, 11, 20))
    dash_on("Bea", date(2025, 11, 3), 4, judgement="high", judgement_reason="Threats to kill")
    refer("Bea", date(2025, 12, 1))
    event("Cat", EventKind.DOMESTIC_ABUSE_POLICE, date(2025, 11, 12))
    dash_on("Dot", date(2025, 10, 14), 2)
    event("Dot", EventKind.DOMESTIC_ABUSE_INCIDENT, date(2025, 12, 2))
    for n in range(3):
        event("Eli", EventKind.DOMESTIC_ABUSE_POLICE, date(2025, 8, 1 + n))
    dash_on("Eli", date(2025, 8, 20), 1)
    dash_on("Fin", date(2025, 12, 15), 0)
    return people


def _figures(team):
    return {f.key: f for f in build_return(team, Q3).figures}


def test_the_domestic_abuse_section_counted_by_hand(team, case):
    figures = _figures(team)
    completed = figures["dash_completed"].values
    # Ann (Oct), Bea, Dot, Fin: four in the quarter; Ann's September and Eli's August are not.
    assert completed["all"] == 4
    assert completed["women"] == 3 and completed["ethnic_minority"] == 2
    assert completed["survivor"] == 3
    assert figures["dash_high_risk_checklists"].values["all"] == 2  # Ann 16 yes, Bea judgement
    high = figures["da_high_risk_at_end"]
    # Eli's escalation in August is still his latest checklist: high at the quarter's end.
    assert high.values["all"] == 3 and high.values["women"] == 2
    assert set(high.people["all"]) == {str(case[n].pk) for n in ("Ann", "Bea", "Eli")}
    assert high.values["ethnic_minority"] == 1  # Bea
    marac = figures["marac_referrals"].values
    assert (marac["all"], marac["women"], marac["ethnic_minority"]) == (3, 3, 1)
    assert figures["marac_repeat_referrals"].values["all"] == 1  # Ann's second
    assert figures["marac_repeat_referrals"].people["all"] == [str(case["Ann"].pk)]


def test_data_quality_lists_survivors_without_a_checklist_and_overdue_after_an_incident(team, case):
    figures = _figures(team)
    assert figures["da_survivors_without_dash"].people["all"] == [str(case["Cat"].pk)]
    overdue = set(figures["dash_overdue_after_incident"].people["all"])
    assert overdue == {str(case["Cat"].pk), str(case["Dot"].pk)}


def test_the_pdf_suppresses_the_section_like_every_count_of_people(team, case):
    data = {f["key"]: f for f in figures_as_data(build_return(team, Q3))}
    assert suppressed(data["marac_referrals"], "all") == "<5"
    assert suppressed(data["marac_repeat_referrals"], "women") == "<5"
    assert data["dash_completed"]["counts_people"] and data["marac_referrals"]["counts_people"]
    assert suppressed(data["dash_completed"], "disabled") == 0  # nobody: shown as 0
