"""An appointment reminder on a phone (320 px): a navigator books an appointment with a
reminder an hour before, sees it on My caseload; the five-minute reminder task runs (called
here, in the test's process, as beat would queue it); the count appears in the top bar, the
navigator opens the reminder, which names nobody, lands on the appointment and turns it into
a contact.

Every page visited gets the axe check and must not scroll sideways at 320 px; the
`screenshot` fixture saves each at 1280 and 320 into test-artifacts/.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Appointment, AppointmentStatus
from appointments.notifications import REMINDER
from appointments.tasks import appointment_reminders
from caseload.models import Allocation, Contact
from smd.models import Role
from smd.notifications.models import Notification
from tests.browser.conftest import NARROW, assert_fits_phone, close_page, open_page, sign_in
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-reminder-before-the-bus"


@pytest.fixture
def phone(chromium_browser):
    page = open_page(chromium_browser, NARROW, is_mobile=True, has_touch=True)
    yield page
    close_page(page)


@pytest.fixture
def check(assert_accessible, screenshot):
    """Axe and no sideways scroll at 320 px, then the screenshots (which leave the page at
    1280), then back to the phone."""

    def run(page, name):
        assert_accessible(page)
        assert_fits_phone(page)
        screenshot(page, name)
        page.set_viewport_size(NARROW)

    return run


def test_navigator_is_reminded_of_an_appointment_opens_it_and_logs_the_contact(
    live_server, phone, check
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
    peggy = PersonFactory(team=team, first_name="Margaret", last_name="Kelly", known_as="Peggy")
    AllocationFactory(
        episode=EpisodeFactory(person=peggy), worker=nadia, kind=Allocation.Kind.LEAD_NAVIGATOR
    )

    sign_in(phone, live_server.url, "nadia", PASSWORD)
    expect(phone.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(phone.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    # Book for fifty minutes from now with a reminder an hour before: it is due at once.
    phone.get_by_role("link", name="Margaret Kelly (Peggy)", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Margaret Kelly (Peggy)")
    check(phone, "reminders-00-person")
    phone.get_by_role("link", name="Book an appointment").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Book an appointment")
    starts = (timezone.localtime() + timedelta(minutes=50)).replace(second=0, microsecond=0)
    phone.get_by_label("Date").fill(starts.date().isoformat())
    phone.get_by_label("Starts").fill(starts.strftime("%H:%M"))
    phone.get_by_role("radio", name="Face to face").check()
    phone.get_by_label("Where").fill("The library café")
    phone.get_by_label("Remind me (optional)").select_option(label="1 hour before")
    check(phone, "reminders-01-book")
    phone.get_by_role("button", name="Book appointment").click()
    expect(phone.locator("#appointments")).to_contain_text("The library café")
    expect(phone.locator("#appointments")).to_contain_text(f"{starts:%H:%M}")
    check(phone, "reminders-02-booked")
    appointment = Appointment.objects.get()
    assert appointment.remind_before_hours == 1

    phone.goto(f"{live_server.url}/people/caseload/")
    expect(phone.locator(".my-appointments")).to_contain_text("Margaret Kelly (Peggy)")
    check(phone, "reminders-03-my-caseload")

    # Beat's five-minute task runs; run again, it makes nothing more.
    assert appointment_reminders() == 1
    assert appointment_reminders() == 0
    (reminder,) = Notification.objects.filter(kind=REMINDER)
    assert reminder.user == nadia

    phone.reload()
    bell = phone.get_by_role("link", name="Notifications 1 unread")
    expect(bell).to_be_visible()
    check(phone, "reminders-04-count")
    bell.click()
    expect(phone.get_by_role("heading", name="Notifications")).to_be_visible()
    item = phone.locator("li.notification").first
    expect(item).to_contain_text(f"Appointment at {starts:%H:%M}")
    expect(item).to_contain_text("with a person on your caseload")
    assert "Margaret" not in phone.content() and "Peggy" not in phone.content()
    check(phone, "reminders-05-list")

    item.get_by_role("button", name="Open").click()
    phone.wait_for_url(f"**{appointment.get_absolute_url()}")
    expect(phone.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(phone.locator("dl")).to_contain_text("The library café")
    check(phone, "reminders-06-appointment")

    phone.get_by_role("link", name="It happened: log contact").click()
    expect(phone.get_by_label("What happened")).to_have_value("Appointment at The library café. ")
    phone.get_by_label("How long, in minutes").fill("30")
    phone.get_by_label("What happened").press_sequentially("Met early; talked about the bus pass.")
    check(phone, "reminders-07-log-contact")
    phone.get_by_role("button", name="Save contact").click()
    expect(phone.get_by_text("logged from the appointment")).to_be_visible()
    expect(phone.locator("#appointments")).to_contain_text("Attended")
    check(phone, "reminders-08-logged")

    appointment.refresh_from_db()
    contact = Contact.objects.get()
    assert appointment.status == AppointmentStatus.ATTENDED and appointment.contact == contact
    assert contact.duration_minutes == 30 and "bus pass" in contact.summary
