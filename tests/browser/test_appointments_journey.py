"""Appointments on a phone (390 × 844): a navigator books an appointment from the person page,
sees it on My caseload, and when it has happened turns it into a contact in one tap and a few
words; then makes a calendar feed address.

Every page visited gets the axe check, is screenshotted into test-artifacts/ at 390 px (and at
1280 and 320 by the shared fixture) and must not scroll sideways.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Appointment, AppointmentStatus, CalendarFeed
from caseload.models import Allocation, Contact
from smd.models import Role
from tests.browser.conftest import ARTIFACTS, DESKTOP, close_page, give_code, open_page, with_app
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    booked_appointment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-cup-of-tea-at-the-day-centre"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium_browser):
    page = open_page(chromium_browser, PHONE, has_touch=True)
    yield page
    close_page(page)


@pytest.fixture
def check(assert_accessible, screenshot):
    """Axe, then screenshots at 390 (this test's phone) and at 1280 and 320 (shared)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def run(page, name):
        assert_accessible(page)
        page.screenshot(path=ARTIFACTS / f"{name}-390.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        page.set_viewport_size(DESKTOP)
        screenshot(page, name)
        page.set_viewport_size(PHONE)

    return run


def test_navigator_books_an_appointment_sees_it_and_logs_it_as_a_contact(
    live_server, phone, check, assert_accessible
):
    team = TeamFactory(name="Changing Futures Navigators")
    nadia = UserFactory(
        username="nadia",
        first_name="Nadia",
        last_name="Okafor",
        role=Role.NAVIGATOR,
        team=team,
        password=PASSWORD,
    )
    peggy = PersonFactory(
        team=team,
        first_name="Margaret",
        last_name="Kelly",
        known_as="Peggy",
        contact_notes="Text first; never leave a voicemail.",
    )
    AllocationFactory(
        episode=EpisodeFactory(person=peggy), worker=nadia, kind=Allocation.Kind.LEAD_NAVIGATOR
    )

    phone.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(phone)
    with_app("nadia")
    phone.get_by_label("Username").fill("nadia")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    give_code(phone, "nadia")
    expect(phone.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(phone.locator(".my-appointments")).to_contain_text("None booked")

    # From the person page, book for earlier today (it is about to be logged as having happened).
    check(phone, "appointments-00-my-caseload-empty")
    phone.get_by_role("link", name="Margaret Kelly (Peggy)", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Margaret Kelly (Peggy)")
    assert_accessible(phone)
    phone.get_by_role("link", name="Book an appointment").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Book an appointment")
    expect(phone.get_by_text("Text first; never leave a voicemail.")).to_be_visible()
    check(phone, "appointments-01-book")

    starts = timezone.localtime() - timedelta(minutes=5)
    starts = starts.replace(second=0, microsecond=0)
    if starts.date() != timezone.localdate():  # just after midnight: the first minute of today
        starts = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    phone.get_by_label("Date").fill(starts.date().isoformat())
    phone.get_by_label("Starts").fill(starts.strftime("%H:%M"))
    phone.get_by_role("radio", name="Face to face").check()
    phone.get_by_label("Where").fill("The library café")
    phone.get_by_label("Anyone else attending (optional)").fill("Sam from the housing team")
    phone.get_by_label("Remind me (optional)").select_option(label="1 hour before")
    phone.get_by_role("button", name="Book appointment").click()

    expect(phone.locator("#appointments")).to_contain_text("The library café")
    check(phone, "appointments-02-person-page")
    appointment = Appointment.objects.get()
    assert appointment.worker == nadia and appointment.remind_before_hours == 1

    # My caseload lists it under today, with the one tap that turns it into a contact.
    phone.goto(f"{live_server.url}/people/caseload/")
    panel = phone.locator(".my-appointments")
    expect(panel).to_contain_text("Today")
    expect(panel).to_contain_text("Margaret Kelly (Peggy)")
    check(phone, "appointments-03-my-caseload")

    panel.get_by_role("link", name="It happened: log contact with Margaret Kelly (Peggy)").click()
    expect(phone.get_by_role("radio", name="Face to face")).to_be_checked()
    expect(phone.get_by_label("What happened")).to_have_value("Appointment at The library café. ")
    check(phone, "appointments-04-log-contact")
    phone.get_by_label("How long, in minutes").fill("45")
    phone.get_by_label("What happened").press_sequentially("Talked about the flat viewing.")
    phone.get_by_role("button", name="Save contact").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(phone.locator(".my-appointments")).to_contain_text("None booked")
    row = phone.locator(".caseload-row").filter(has_text="Margaret Kelly (Peggy)")
    expect(row).to_contain_text("Last contact: today")
    check(phone, "appointments-05-logged")

    contact = Contact.objects.get()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED and appointment.contact == contact
    assert contact.duration_minutes == 45 and "flat viewing" in contact.summary

    # The appointment's page says what became of it; the calendar page makes a feed address.
    phone.goto(f"{live_server.url}{appointment.get_absolute_url()}")
    expect(phone.locator("dl")).to_contain_text("Attended")
    check(phone, "appointments-06-detail")
    phone.goto(f"{live_server.url}/calendar/")
    assert_accessible(phone)
    phone.get_by_role("button", name="Make my feed address").click()
    expect(phone.get_by_label("Feed address")).to_be_visible()
    assert "/calendar/feed/" in phone.get_by_label("Feed address").input_value()
    check(phone, "appointments-07-calendar")
    assert CalendarFeed.objects.filter(user=nadia).exists()


def test_navigator_moves_an_appointment_then_cancels_it(
    live_server, phone, check, assert_accessible
):
    team = TeamFactory(name="Changing Futures Navigators")
    nadia = UserFactory(
        username="nadia", first_name="Nadia", role=Role.NAVIGATOR, team=team, password=PASSWORD
    )
    peggy = PersonFactory(team=team, first_name="Margaret", last_name="Kelly", known_as="Peggy")
    AllocationFactory(
        episode=EpisodeFactory(person=peggy), worker=nadia, kind=Allocation.Kind.LEAD_NAVIGATOR
    )
    appointment = booked_appointment(
        peggy, worker=nadia, starts_at=timezone.now() + timedelta(days=2), place="Day centre"
    )

    phone.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(phone)
    with_app("nadia")
    phone.get_by_label("Username").fill("nadia")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    give_code(phone, "nadia")

    phone.goto(f"{live_server.url}{appointment.get_absolute_url()}")
    assert_accessible(phone)
    phone.get_by_role("link", name="Change").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Change an appointment")
    phone.get_by_label("Where").fill("The library café")
    check(phone, "appointments-08-change")
    phone.get_by_role("button", name="Save changes").click()
    expect(phone.locator("dl")).to_contain_text("The library café")
    assert_accessible(phone)

    phone.get_by_role("link", name="Cancel appointment").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Cancel an appointment")
    assert_accessible(phone)
    phone.get_by_role("button", name="Cancel appointment").click()
    expect(phone.get_by_role("alert")).to_contain_text("needs an answer")
    check(phone, "appointments-09-cancel-refused")
    phone.get_by_label("Why it is cancelled").fill("Peggy is in hospital this week.")
    phone.get_by_role("button", name="Cancel appointment").click()
    expect(phone.locator("#appointments")).to_contain_text("Cancelled")
    assert_accessible(phone)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
