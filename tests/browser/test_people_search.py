"""Searching people by name in a real browser: results as you type and on "Search", and the
name never in the address bar."""

import pytest
from playwright.sync_api import expect

from smd.models import Role
from tests.browser.conftest import assert_fits_phone, sign_in
from tests.factories import PersonFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "who-was-that-at-the-hub"


def test_a_search_finds_people_and_keeps_their_name_out_of_the_url(
    live_server, page, assert_accessible
):
    team = TeamFactory(receives_public_referrals=True)
    UserFactory(username="tara", role=Role.TEAM_LEADER, team=team, password=PASSWORD)
    PersonFactory(team=team, first_name="Margaret", last_name="Kelly", known_as="Peggy")
    PersonFactory(team=team, first_name="John", last_name="Smith")
    sign_in(page, live_server.url, "tara", PASSWORD)
    people = f"{live_server.url}/people/"
    page.goto(people)
    assert_fits_phone(page)
    results = page.locator("#results")

    page.get_by_label("Search by any name").press_sequentially("pegg", delay=50)
    expect(results).to_contain_text("Margaret Kelly")
    expect(results).not_to_contain_text("John Smith")
    assert page.url == people

    page.get_by_label("Search by any name").fill("smith")
    page.get_by_role("button", name="Search").click()
    expect(results).to_contain_text("John Smith")
    expect(results).not_to_contain_text("Margaret Kelly")
    assert page.url == people and "smith" not in page.url
    assert_accessible(page)
