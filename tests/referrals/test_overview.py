from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from referrals.selectors import referral_overview
from smd.models import Role, Sector
from smd.quarters import financial_year_label, financial_year_of
from tests.factories import OrganisationFactory, PersonFactory, ReferralFactory

URL = reverse("referrals:overview")


def on(referral, y, m, d):
    when = timezone.make_aware(datetime(y, m, d, 12))
    Referral.objects.filter(pk=referral.pk).update(created_at=when)


@pytest.fixture
def year_of_referrals(team):
    probation = OrganisationFactory(name="Probation", sector=Sector.PROBATION)
    housing = OrganisationFactory(name="Housing Options", sector=Sector.HOUSING)
    woman = PersonFactory(team=team, gender="woman", ethnicity="black_african")
    on(ReferralFactory(team=team, referrer_organisation=probation, gender="man"), 2025, 4, 10)
    on(
        ReferralFactory(
            team=team, referrer_organisation=probation, person=woman, status="eligible", gender=""
        ),
        2025,
        5,
        2,
    )
    on(ReferralFactory(team=team, referrer_organisation=housing, status="withdrawn"), 2025, 10, 31)
    on(
        ReferralFactory(
            team=team, referrer_organisation=None, is_self_referral=True, ethnicity="white_british"
        ),
        2026,
        3,
        31,
    )
    # Outside the year on both sides
    on(ReferralFactory(team=team, referrer_organisation=housing), 2025, 3, 31)
    on(ReferralFactory(team=team, referrer_organisation=housing), 2026, 4, 1)


def table(tables, title):
    (found,) = [t for t in tables if t.title == title]
    return {label: (cells, total) for label, cells, total in found.rows}


def test_financial_years():
    assert financial_year_of(datetime(2026, 3, 31).date()) == 2025
    assert financial_year_of(datetime(2026, 4, 1).date()) == 2026
    assert financial_year_label(2025) == "2025/26"


def test_counts_by_quarter_across_every_split(team, team_leader, year_of_referrals):
    tables = referral_overview(team_leader, 2025, by="quarter")
    by_org = table(tables, "By source organisation")
    assert by_org == {
        "Housing Options": ([0, 0, 1, 0], 1),
        "Probation": ([2, 0, 0, 0], 2),
        "Self-referral": ([0, 0, 0, 1], 1),
    }
    assert table(tables, "By sector")["Probation"] == ([2, 0, 0, 0], 2)
    assert table(tables, "By decision") == {
        "Eligible": ([1, 0, 0, 0], 1),
        "Waiting for a decision": ([1, 0, 0, 1], 2),
        "Withdrawn": ([0, 0, 1, 0], 1),
    }
    # The linked person's record wins over the referral's blank gender.
    assert table(tables, "By gender") == {
        "Man": ([1, 0, 0, 0], 1),
        "Woman": ([1, 0, 0, 0], 1),
        "Not recorded": ([0, 0, 1, 1], 2),
    }
    by_ethnicity = table(tables, "By ethnicity")
    assert by_ethnicity["Not recorded"][1] == 2
    assert list(by_ethnicity)[-1] == "Not recorded"


def test_counts_by_month(team, team_leader, year_of_referrals):
    tables = referral_overview(team_leader, 2025, by="month")
    cells, total = table(tables, "By source organisation")["Probation"]
    assert cells[:2] == [1, 1] and total == 2
    assert tables[0].columns[0] == "Apr 2025" and tables[0].columns[-1] == "Mar 2026"


def test_overview_counts_only_my_team(team, other_team, team_leader, year_of_referrals):
    other_leader = team_leader.__class__.objects.create(
        username="elsewhere", role=Role.TEAM_LEADER, team=other_team
    )
    tables = referral_overview(other_leader, 2025)
    assert all(t.grand_total == 0 for t in tables)


def test_overview_page_query_count_is_constant(
    team, client_for, team_leader, year_of_referrals, count_queries
):
    client = client_for(team_leader)

    def count():
        return count_queries.page(client, URL, {"year": 2025, "by": "quarter"})

    few = count()
    for _ in range(25):
        on(ReferralFactory(team=team, referrer_organisation=OrganisationFactory()), 2025, 6, 1)
    # session + user + the device that gave the second factor + one aggregate query for every
    # table
    # and one more: the top bar's count of unread notifications
    assert count() == few == 5


def test_page_shows_the_tables_and_handles_a_bad_year(team_leader_client, year_of_referrals):
    page = team_leader_client.get(URL, {"year": "2025", "by": "quarter"}).content.decode()
    assert "Referral overview 2025/26" in page and "By ethnicity" in page
    assert team_leader_client.get(URL, {"year": "nonsense"}).status_code == 200
