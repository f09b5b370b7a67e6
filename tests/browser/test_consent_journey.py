"""Consent and sharing in a real browser: a navigator records a person's MDT sharing agreement
and withdraws it from the person page; a manager adds to the register. Every page gets the axe
check and must not scroll sideways at 320 px."""

import re

import pytest
from playwright.sync_api import expect

from sharing.models import DataSharingAgreement, SharingAgreement
from smd.models import Role
from tests.browser.conftest import assert_fits_phone
from tests.browser.conftest import sign_in as browser_sign_in
from tests.factories import (
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "agreed-in-writing-at-the-hostel"


def sign_in(page, base, username):
    browser_sign_in(page, base, username, PASSWORD)


def test_record_and_withdraw_sharing_then_keep_the_register(
    live_server, page, assert_accessible, screenshot
):
    team = TeamFactory(name="Changing Futures Navigators", receives_public_referrals=True)
    UserFactory(username="nadia", role=Role.NAVIGATOR, team=team, password=PASSWORD)
    UserFactory(username="maureen", role=Role.MANAGER, team=team, password=PASSWORD)
    OrganisationFactory(name="Northgate Probation", sector="probation")
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    EpisodeFactory(person=person)

    sign_in(page, live_server.url, "nadia")
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    assert_fits_phone(page)
    page.get_by_role("link", name="Record a sharing agreement").click()
    expect(page.get_by_role("button", name="Record agreement")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("button", name="Record agreement").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "consent-01-errors")
    page.get_by_label("Northgate Probation").check()
    page.get_by_label(re.compile("Signed a form")).check()
    page.get_by_role("button", name="Record agreement").click()
    expect(page.get_by_text("Sharing agreement recorded.")).to_be_visible()
    section = page.locator("#sharing")
    expect(section).to_contain_text("Northgate Probation")
    assert_accessible(page)
    screenshot(page, "consent-02-person")

    section.get_by_role("link", name="Withdraw sharing with Northgate Probation").click()
    page.get_by_label(re.compile("What the person said")).fill("Changed his mind.")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw now").click()
    expect(page.get_by_text("withdrawn: it stops now")).to_be_visible()
    expect(section).to_contain_text("Nothing is shared with partners")
    assert_fits_phone(page)
    assert SharingAgreement.objects.get().withdrawal_reason == "Changed his mind."

    sign_in(page, live_server.url, "maureen")
    page.goto(f"{live_server.url}/data-sharing-agreements/")
    assert_fits_phone(page)
    page.get_by_role("link", name="Add an agreement").click()
    expect(page.get_by_label("Title")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_label("Title").fill("MDT information sharing")
    page.get_by_label("Northgate Probation").check()
    page.get_by_label("Discussion at the MDT").check()
    page.get_by_label("In force from").fill("2026-01-01")
    page.get_by_label("Review by").fill("2027-01-01")
    page.get_by_label("Where the signed agreement is held").fill("Governance drive")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Register updated.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "consent-03-register")
    assert DataSharingAgreement.objects.get().parties.count() == 2
