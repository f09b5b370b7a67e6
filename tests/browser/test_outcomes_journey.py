"""A navigator works on Peggy's plan and outcomes in a real browser: adds a goal in her words,
records a move into a hostel and a night sleeping rough from the person page, and opens the
plan as a PDF to print for her.

Every page is checked with axe and must not scroll sideways at 320 pixels.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from caseload.models import AccommodationChange, Allocation, Goal, ServiceEvent
from smd.models import Role
from tests.browser.conftest import assert_fits_phone, sign_in
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "plans-written-together"


def test_navigator_adds_a_goal_records_a_move_and_an_event_and_prints_the_plan(
    live_server, page, assert_accessible, screenshot
):
    team = TeamFactory(receives_public_referrals=True)
    nadia = UserFactory(
        username="nadia", first_name="Nadia", role=Role.NAVIGATOR, team=team, password=PASSWORD
    )
    peggy = PersonFactory(team=team, first_name="Margaret", last_name="Kelly", known_as="Peggy")
    episode = EpisodeFactory(person=peggy, start_date=timezone.localdate() - timedelta(days=30))
    AllocationFactory(episode=episode, worker=nadia, kind=Allocation.Kind.LEAD_NAVIGATOR)
    base = live_server.url

    sign_in(page, base, "nadia", PASSWORD)
    page.goto(f"{base}{peggy.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Support plan")).to_be_visible()
    assert_accessible(page)

    # A goal, in her words. Leaving the words out first: the error names it, the rest stays.
    page.get_by_role("link", name="Add a goal").click()
    expect(page.get_by_role("button", name="Add goal")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_label("Strengths Peggy brings (optional)").fill("Knows the area; her sister helps")
    page.get_by_label("Step 1: what will be done").fill("Put in a housing bid every week")
    page.get_by_label("Step 1: who does it").fill("Peggy")
    page.get_by_role("button", name="Add goal").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#error-summary")).to_contain_text("Write the goal as Peggy said it.")
    expect(page.get_by_label("Step 1: who does it")).to_have_value("Peggy")
    assert_accessible(page)
    page.get_by_label("The goal, in Peggy's own words").fill("Get my own flat near my sister")
    page.get_by_label("Review date").fill((timezone.localdate() + timedelta(weeks=6)).isoformat())
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("Goal added to the support plan.")).to_be_visible()
    expect(page.get_by_role("heading", name="“Get my own flat near my sister”")).to_be_visible()
    assert Goal.objects.get().steps == [{"what": "Put in a housing bid every week", "who": "Peggy"}]
    assert_accessible(page)
    screenshot(page, "outcomes-01-plan")

    # A move into a hostel, from the person page's "Where they live" card.
    page.get_by_role("link", name=re.compile(r"^← Margaret Kelly")).click()
    expect(page.get_by_role("heading", name="Support plan")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="Record a change or see history").click()
    expect(page.get_by_role("button", name="Save change")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("radio", name="Hostel or supported accommodation").check()
    page.get_by_label("Note (optional)").fill("St Anne's women's hostel")
    page.get_by_role("button", name="Save change").click()
    expect(page.get_by_text("Change of accommodation recorded.")).to_be_visible()
    assert AccommodationChange.objects.get().status == "hostel"
    assert_accessible(page)
    screenshot(page, "outcomes-02-accommodation")

    # A night sleeping rough, recorded in place on the person page (htmx).
    page.goto(f"{base}{peggy.get_absolute_url()}")
    expect(page.get_by_text("Hostel or supported accommodation", exact=True)).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="Record an event").click()
    events = page.locator("#events-panel")
    events.get_by_role("radio", name="Rough sleeping (nights)").check()
    events.get_by_label("When").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    events.get_by_label("How many days or nights").fill("1")
    events.get_by_role("radio", name="Staff observed").check()
    assert_accessible(page)
    events.get_by_role("button", name="Save event").click()
    expect(page.locator("#events-panel")).to_contain_text("✔ Recorded: Rough sleeping")
    expect(page.locator("#timeline")).to_contain_text("Rough sleeping: 1 night")
    assert ServiceEvent.objects.get().quantity == 1
    assert_accessible(page)
    screenshot(page, "outcomes-03-person-page")

    # The plan as a PDF for Peggy to keep.
    page.get_by_role("link", name="Open the plan").click()
    link = page.get_by_role("link", name="Print for Peggy (PDF)")
    expect(link).to_be_visible()
    assert_fits_phone(page)
    response = page.request.get(f"{base}{link.get_attribute('href')}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
