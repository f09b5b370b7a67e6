"""Two-factor sign-in in a real browser: a new navigator sets up an authenticator app from the
key the page shows, keeps the backup codes, and signs in again with one of them.

Every page is checked with axe, screenshotted at 1280, 375 and 320 pixels wide
(test-artifacts/) and must not scroll sideways.
"""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import hotp
from playwright.sync_api import expect

from smd.models import Role
from tests.browser.conftest import ARTIFACTS, DESKTOP, assert_fits_phone
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "first-day-on-the-team"
PHONE = {"width": 375, "height": 812}


def code_from_key(key):
    """What an authenticator app shows now for the key typed into it."""
    return f"{hotp(b32decode(key.replace(' ', '')), int(time.time()) // 30):06d}"


@pytest.fixture
def check(assert_accessible, screenshot):
    ARTIFACTS.mkdir(exist_ok=True)

    def run(page, name):
        assert_accessible(page)
        page.set_viewport_size(PHONE)
        page.screenshot(path=ARTIFACTS / f"{name}-375.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        page.set_viewport_size(DESKTOP)
        screenshot(page, name)

    return run


def sign_in_with_password(page, base):
    page.goto(f"{base}/accounts/login/")
    assert_fits_phone(page)
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_new_navigator_sets_up_two_factor_and_later_signs_in_with_a_backup_code(
    live_server, page, check
):
    team = TeamFactory(receives_public_referrals=True)
    UserFactory(username="sam", first_name="Sam", role=Role.NAVIGATOR, team=team, password=PASSWORD)
    base = live_server.url

    # --- First sign-in: the password leads to setting up the app ----------------------------
    sign_in_with_password(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    # No way round it: the navigation offers nothing, and other pages come back here.
    expect(page.get_by_role("link", name="My caseload")).to_have_count(0)
    check(page, "2fa-01-set-up")

    key = page.locator("#secret-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    page.get_by_role("textbox", name="Code").fill("123")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the 6-digit code")
    assert_fits_phone(page)
    page.get_by_role("textbox", name="Code").fill(code_from_key(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    # --- Backup codes, shown once -------------------------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Backup codes")
    codes = page.get_by_role("list", name="Your backup codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    check(page, "2fa-02-backup-codes")
    page.get_by_role("link", name="I have saved my backup codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    assert_fits_phone(page)

    # --- Signing in again, phone left at home: a backup code ---------------------------------
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert_fits_phone(page)
    sign_in_with_password(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    check(page, "2fa-03-code")
    page.get_by_text("I don't have my phone").click()
    page.get_by_role("textbox", name="Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You used a backup code. You have 9 left.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    assert_fits_phone(page)
