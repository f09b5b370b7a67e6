"""A manager changes their password, gives it again before a subject access export, and a form
whose security token has gone is refused with the app's own page. Every page is checked with
axe and screenshotted at 1280 and 320 pixels wide (test-artifacts/), without sideways scroll."""

import pytest
from playwright.sync_api import expect

from smd.models import Role
from tests.browser.conftest import sign_in
from tests.factories import PersonFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
NEW_PASSWORD = "a-brand-new-password-7"


@pytest.fixture
def check(assert_accessible, screenshot):
    def run(page, name):
        assert_accessible(page)
        screenshot(page, name)

    return run


def test_a_manager_changes_their_password_and_confirms_it_before_an_export(
    live_server, page, check
):
    team = TeamFactory(receives_public_referrals=True)
    UserFactory(username="maria", first_name="Maria", role=Role.MANAGER, team=team)
    person = PersonFactory(team=team, first_name="Annabel", last_name="Quigley")
    base = live_server.url
    sign_in(page, base, "maria", PASSWORD)

    page.goto(f"{base}/accounts/profile/")
    check(page, "profile")
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    check(page, "password-change")
    page.get_by_label("Your current password").fill("not-my-password")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not your password")
    expect(page).to_have_title("Error: Change your password — smd")
    check(page, "password-change-refused")
    page.get_by_label("Your current password").fill(PASSWORD)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    check(page, "password-changed")

    page.goto(f"{base}/people/{person.pk}/export/")
    expect(page.get_by_role("heading", name="Enter your password again")).to_be_visible()
    check(page, "password-confirm")
    page.get_by_label("Your password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base}/people/{person.pk}/export/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Subject access")
    check(page, "subject-access-export")


def test_a_form_whose_token_has_gone_gets_the_apps_own_page(live_server, page, check):
    TeamFactory(receives_public_referrals=True)
    page.goto(f"{live_server.url}/refer/")
    check(page, "csrf-failure-form")
    page.context.clear_cookies()
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", name="Your form could not be sent")).to_be_visible()
    check(page, "csrf-failure")
