"""A manager reads the team's capacity as the delivery plan counts it and enters the plan's
target for the year, at desktop and 320 px wide, with the axe check on every page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseload.models import Allocation, EpisodeStatus
from smd.models import PlanTarget, Role
from smd.quarters import financial_year_label, financial_year_of
from tests.browser.conftest import sign_in
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "the-plan-says-eighty-one-places"


def test_manager_reads_capacity_and_enters_the_plans_target(
    page, live_server, assert_accessible, screenshot
):
    team = TeamFactory(name="Southside Navigators")
    UserFactory(username="maya", first_name="Maya", role=Role.MANAGER, team=team, password=PASSWORD)
    navigators = [
        UserFactory(role=Role.NAVIGATOR, team=team, fte=Decimal("1"), first_name=f"Nav{i}")
        for i in range(7)
    ]
    for hours in ["40", "35"]:
        UserFactory(role=Role.PEER_MENTOR, team=team, planned_hours=Decimal(hours))
    for i in range(30):
        AllocationFactory(
            episode=EpisodeFactory(person=PersonFactory(team=team)),
            worker=navigators[i % 7],
            kind=Allocation.Kind.LEAD_NAVIGATOR,
        )
    today = timezone.localdate()
    for days in [12, 40]:
        EpisodeFactory(
            person=PersonFactory(team=team),
            status=EpisodeStatus.AWAITING_ALLOCATION,
            start_date=None,
            accepted_on=today - timedelta(days=days),
        )

    sign_in(page, live_server.url, "maya", PASSWORD)
    page.goto(f"{live_server.url}/people/capacity/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team capacity")
    plan = page.locator("section[aria-labelledby=plan-h]")
    expect(plan).to_contain_text("81 (56 navigator + 25 peer-mentor)")
    expect(plan).to_contain_text("37% · 30 of 81 places filled")
    expect(plan).to_contain_text("2 · mean wait 26 days, longest 40 days")
    expect(plan).to_contain_text("65 (81 places × 365 ÷ 455 days on service)")
    expect(plan).to_contain_text("Not entered")
    assert_accessible(page)
    screenshot(page, "capacity-01-team-capacity")

    page.get_by_role("link", name="Plan targets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan targets")
    assert_accessible(page)
    screenshot(page, "capacity-02-plan-targets")

    page.get_by_label("People supported in the year").fill("-5")
    page.get_by_role("button", name="Save target").click()
    expect(page).to_have_title("Error: Plan targets — smd")
    expect(page.get_by_label("People supported in the year")).to_have_value("-5")
    assert_accessible(page)
    screenshot(page, "capacity-03-plan-target-error")

    page.get_by_label("People supported in the year").fill("70")
    page.get_by_role("button", name="Save target").click()
    year = financial_year_of(today)
    expect(
        page.get_by_text(f"Target saved: 70 people in {financial_year_label(year)}.")
    ).to_be_visible()
    assert PlanTarget.objects.get(team=team, year=year).people == 70
    screenshot(page, "capacity-04-plan-target-saved")

    page.get_by_role("link", name="Team capacity").first.click()
    expect(plan).to_contain_text("70 · the projection is 5 short")
    screenshot(page, "capacity-05-team-capacity-with-target")
