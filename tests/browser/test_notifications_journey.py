"""Notifications in a real browser: a navigator on a phone sees the count in the top bar,
opens the reminder that a person was allocated to them, marks the rest read and chooses a
daily summary by email. Every page gets the axe check and must not scroll sideways at 320 px."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from caseload import services as caseload_services
from caseload.models import Allocation
from smd.models import Role
from smd.notifications.models import Notification, NotificationSettings
from smd.notifications.services import notifications_sweep
from tests.browser.conftest import close_page, open_page
from tests.browser.conftest import sign_in as browser_sign_in
from tests.factories import EpisodeFactory, PersonFactory, ReferralFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "signed-at-the-day-centre"
PHONE = {"width": 360, "height": 740}


def test_a_navigator_on_a_phone_opens_a_notification_and_chooses_a_daily_summary(
    live_server, chromium_browser, assert_accessible, screenshot
):
    team = TeamFactory(name="Changing Futures Navigators")
    navigator = UserFactory(username="nadia", role=Role.NAVIGATOR, team=team, password=PASSWORD)
    leader = UserFactory(role=Role.TEAM_LEADER, team=team)
    for _ in range(2):
        other = EpisodeFactory(
            person=PersonFactory(team=team), status="awaiting_allocation", start_date=None
        )
        caseload_services.allocation_create(
            episode=other, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR, by=leader
        )
    # The newest, at the top of the list.
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    episode = EpisodeFactory(person=person, status="awaiting_allocation", start_date=None)
    caseload_services.allocation_create(
        episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR, by=leader
    )
    ReferralFactory(team=team)

    phone = open_page(chromium_browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        browser_sign_in(phone, live_server.url, "nadia", PASSWORD)
        bell = phone.get_by_role("link", name="Notifications 3 unread")
        expect(bell).to_be_visible()
        bell.click()
        expect(phone.get_by_role("heading", name="Notifications")).to_be_visible()
        assert "Lee" not in phone.content() and "Barnes" not in phone.content()
        assert_accessible(phone)
        screenshot(phone, "notifications-list")

        newest = phone.locator("li.notification").first
        newest.get_by_role("button", name="Open").click()
        phone.wait_for_url(f"**{person.get_absolute_url()}")
        expect(phone.get_by_role("link", name="Notifications 2 unread")).to_be_visible()
        assert_accessible(phone)

        phone.goto(f"{live_server.url}{reverse('notifications:list')}")
        assert_accessible(phone)
        phone.get_by_role("button", name="Mark all as read").click()
        phone.wait_for_url("**/notifications/?page=1")
        expect(phone.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
        assert_accessible(phone)
        assert not Notification.objects.filter(user=navigator, read_at__isnull=True).exists()

        phone.get_by_role("link", name="Choose which are emailed to you").click()
        assert_accessible(phone)
        phone.get_by_label("A person was allocated to you").select_option(
            label="Email me a daily summary"
        )
        phone.get_by_role("button", name="Save").click()
        expect(phone.get_by_text("Your email choices are saved.")).to_be_visible()
        assert_accessible(phone)
        screenshot(phone, "notifications-preferences")
        settings_row = NotificationSettings.objects.get(user=navigator)
        assert settings_row.deliveries["caseload_allocated"] == "digest"
    finally:
        close_page(phone)


def test_the_count_sits_in_the_top_bar_on_a_wide_screen(
    live_server, chromium_browser, assert_accessible, screenshot
):
    team = TeamFactory(name="Changing Futures Navigators")
    UserFactory(username="tara", role=Role.TEAM_LEADER, team=team, password=PASSWORD)
    referral = ReferralFactory(team=team)
    type(referral).objects.filter(pk=referral.pk).update(
        created_at=referral.created_at - timedelta(days=8)
    )
    notifications_sweep(today=timezone.localdate())

    desk = open_page(chromium_browser)
    try:
        browser_sign_in(desk, live_server.url, "tara", PASSWORD)
        desk.goto(f"{live_server.url}{reverse('referrals:triage')}")
        link = desk.get_by_role("link", name="Notifications 1 unread")
        expect(link).to_be_visible()
        assert_accessible(desk)
        screenshot(desk, "notifications-top-bar")
        link.click()
        expect(desk.get_by_text(f"Referral {referral.reference} has waited")).to_be_visible()
        assert_accessible(desk)
    finally:
        close_page(desk)
