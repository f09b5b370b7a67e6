"""The phone app without a signal (ADR 0033), on a phone: My caseload loaded with a signal,
then the signal gone; contacts logged are queued on the phone and shown as waiting to send,
still there after a reload; with the signal back each is recorded once and shows on its row,
and one for a person handed over meanwhile stays "not sent" with its text. Today's
appointments likewise: marked attended (with the contact) or not attended without a signal,
recorded once when it returns. Signing out warns
about what stays and clears the caseload and the caches. Axe checks the offline and unsent views.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import AppointmentStatus
from appointments.services import appointment_cancel
from caseload.models import Allocation, Contact, RiskFlag
from offline.models import DeviceKey
from smd.models import Role
from tests.browser.conftest import assert_fits_phone, close_page, give_code, open_page, with_app
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
SLOW = 20_000  # ms, for steps that wait on several requests


@pytest.fixture
def phone(chromium_browser):
    page = open_page(chromium_browser, PHONE, has_touch=True, service_workers="allow")
    yield page
    close_page(page)


@pytest.fixture
def world():
    team = TeamFactory(name="Changing Futures Navigators")
    alice = UserFactory(username="alice", role=Role.NAVIGATOR, team=team, password=PASSWORD)
    bob = UserFactory(username="bob", role=Role.NAVIGATOR, team=team)
    people = {}
    for first, last, flags in [
        ("Margaret", "Kelly", [RiskFlag.choices[0][0]]),
        ("Dev", "Sharma", []),
        ("Chloe", "Adams", []),
    ]:
        person = PersonFactory(team=team, first_name=first, last_name=last, risk_flags=flags)
        AllocationFactory(
            episode=EpisodeFactory(person=person),
            worker=alice,
            kind=Allocation.Kind.LEAD_NAVIGATOR,
        )
        people[first] = person
    return {"alice": alice, "bob": bob, "people": people, "flag": RiskFlag.choices[0][1]}


# What the phone keeps, read from the page: the Cache Storage names, and how many caseloads and
# queued contacts IndexedDB holds.
OFFLINE_STATE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('smd-offline');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const count = (name) => new Promise((resolve) => {
    const request = db.transaction(name).objectStore(name).count();
    request.onsuccess = () => resolve(request.result);
  });
  return { caches: await caches.keys(), caseload: await count('caseload'),
           outbox: await count('outbox') };
}"""


def _cut_worker(route):
    # The service worker's own requests find no network either (see the conftest).
    if route.request.service_worker:
        route.abort("internetdisconnected")
    else:
        route.continue_()


def go_offline(page):
    page.context.set_offline(True)
    page.context.route("**/*", _cut_worker)


def go_online(page):
    page.context.unroute("**/*", _cut_worker)
    page.context.set_offline(False)


def log_contact(page, name, summary):
    form = page.locator("#offline-rows form")
    expect(form).to_be_visible()
    expect(page.locator("#offline-rows .offline-form h3")).to_contain_text(name)
    form.get_by_label("Face to face").check()
    form.get_by_label("How long, in minutes").fill("20")
    form.get_by_label("What happened").fill(summary)
    form.get_by_role("button", name="Save contact").click()
    expect(page.locator("#offline-rows .waiting-entry", has_text=summary)).to_be_visible()


def test_contacts_logged_without_a_signal_are_sent_once_when_it_returns(
    live_server, phone, world, assert_accessible, screenshot
):
    page = phone
    base = live_server.url
    sign_in(page, base)

    # Installable: the manifest and its icons, and a service worker in control of the page.
    installed = page.evaluate(
        """async () => {
          const link = document.querySelector('link[rel=manifest]').href;
          const manifest = await (await fetch(link)).json();
          const icons = await Promise.all(manifest.icons.map(async (icon) => {
            const response = await fetch(icon.src);
            return [icon.sizes, response.status, response.headers.get('Content-Type')];
          }));
          const registration = await navigator.serviceWorker.ready;
          return {
            manifest, icons,
            script: registration.active.scriptURL,
            scope: registration.scope,
            controlled: navigator.serviceWorker.controller !== null,
          };
        }"""
    )
    manifest = installed["manifest"]
    assert manifest["name"] and manifest["short_name"] == "smd"
    assert manifest["start_url"] == "/people/caseload/"
    assert manifest["display"] == "standalone"
    assert ["192x192", 200, "image/png"] in installed["icons"]
    assert ["512x512", 200, "image/png"] in installed["icons"]
    assert installed["script"] == f"{base}/sw.js"
    assert installed["scope"] == f"{base}/"
    assert installed["controlled"]
    # And Chromium itself finds nothing missing to offer installing it (a test's browser
    # context is private, which is the one thing it may say).
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    cdp.detach()
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []

    # The signal goes. "Log contact" opens the form from what the phone keeps.
    go_offline(page)
    margaret, dev, chloe = (world["people"][n] for n in ("Margaret", "Dev", "Chloe"))
    page.get_by_role("link", name="Log contact with Margaret Kelly").click()
    expect(page.locator("#offline-status")).to_contain_text("You are offline")
    expect(page.locator(f"#row-{margaret.pk.hex}")).to_contain_text(world["flag"])
    assert_accessible(page)
    log_contact(page, "Margaret Kelly", "Talked about the hostel move")
    page.get_by_role("button", name="Log contact with Dev Sharma").click()
    log_contact(page, "Dev Sharma", "Walked to the GP together")
    page.get_by_role("button", name="Log contact with Chloe Adams").click()
    log_contact(page, "Chloe Adams", "Chloe asked about her benefits")
    assert_accessible(page)
    screenshot(page, "offline-caseload-waiting")
    assert Contact.objects.count() == 0

    # Reloaded without a signal: still there, still waiting.
    page.reload()
    expect(page.locator("#offline-rows .waiting-entry")).to_have_count(3, timeout=SLOW)
    assert_fits_phone(page)
    assert Contact.objects.count() == 0

    # A person's page is never kept: without a signal it says so, and nothing more.
    page.goto(f"{base}/people/{margaret.pk}/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Margaret")
    assert_accessible(page)
    page.goto(f"{base}/people/caseload/")
    expect(page.locator("#offline-rows .waiting-entry")).to_have_count(3)
    assert_fits_phone(page)

    # Meanwhile Chloe is handed over to Bob.
    mine = Allocation.objects.get(episode__person=chloe, worker=world["alice"])
    mine.ended_at = timezone.now()
    mine.save()
    AllocationFactory(
        episode=mine.episode, worker=world["bob"], kind=Allocation.Kind.LEAD_NAVIGATOR
    )

    # The signal returns: sent by themselves, each recorded once and shown on its row.
    go_online(page)
    unsent = page.locator("#offline-queue .unsent-entry")
    # Three sends, then My caseload fetched again: generous on a busy machine.
    expect(unsent).to_have_count(1, timeout=SLOW)
    expect(page.locator("#offline-app")).to_have_count(0)  # the page from the server again
    assert Contact.objects.filter(summary="Talked about the hostel move").count() == 1
    assert Contact.objects.filter(summary="Walked to the GP together").count() == 1
    assert Contact.objects.filter(person=chloe).count() == 0
    expect(page.locator(f"#row-{margaret.pk.hex} .last-contact")).to_contain_text(
        "today · face to face"
    )
    expect(page.locator(f"#row-{dev.pk.hex} .last-contact")).to_contain_text("today")
    expect(unsent).to_contain_text("Chloe asked about her benefits")
    expect(unsent).to_contain_text("no longer on your caseload")
    assert_accessible(page)
    screenshot(page, "offline-unsent")

    # Signing out says what stays, then clears the caseload and the caches.
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Menu").click()
    # By keyboard: a hovered button is caught mid-transition by axe's contrast check.
    page.get_by_role("button", name="Sign out").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("stay on this phone, encrypted")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out anyway").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert_fits_phone(page)
    left = page.evaluate(OFFLINE_STATE)
    assert left == {"caches": [], "caseload": 0, "outbox": 1}
    assert Contact.objects.count() == 2

    # Signed in again, the contact not sent is there to put right. Chloe is back with Alice.
    sign_in(page, base)
    expect(unsent).to_contain_text("Chloe asked about her benefits", timeout=SLOW)
    Allocation.objects.filter(episode__person=chloe, worker=world["bob"]).update(
        ended_at=timezone.now()
    )
    AllocationFactory(
        episode=mine.episode, worker=world["alice"], kind=Allocation.Kind.LEAD_NAVIGATOR
    )
    unsent.get_by_role("button", name="Change and send again").click()
    form = page.locator("#offline-unsent form")
    expect(form.get_by_label("What happened")).to_have_value("Chloe asked about her benefits")
    expect(form).to_contain_text("no longer on your caseload")
    assert_accessible(page)
    form.get_by_label("What happened").fill("Chloe asked about her benefits; advice booked")
    form.get_by_role("button", name="Save contact").click()
    page.wait_for_url(re.compile(r"/people/caseload/$"))
    expect(page.locator(f"#row-{chloe.pk.hex} .last-contact")).to_contain_text(
        "today", timeout=SLOW
    )
    expect(unsent).to_have_count(0)
    assert_fits_phone(page)
    (sent,) = Contact.objects.filter(person=chloe)
    assert sent.summary == "Chloe asked about her benefits; advice booked"
    assert Contact.objects.count() == 3


def sign_in(page, base):
    page.goto(f"{base}/accounts/login/")
    assert_fits_phone(page)
    with_app("alice")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    give_code(page, "alice")
    expect(page).to_have_url(re.compile(r"/people/caseload/$"))
    expect(page.locator("html[data-offline-ready=true]")).to_be_attached()


def test_a_deactivated_users_phone_drops_the_caseload_and_their_key_is_destroyed(
    live_server, phone, world
):
    page = phone
    sign_in(page, live_server.url)
    kept = page.evaluate(OFFLINE_STATE)
    assert kept["caseload"] == 1 and kept["caches"] == ["smd-app-v1"]
    assert DeviceKey.objects.filter(user=world["alice"]).exists()
    alice = world["alice"]
    alice.is_active = False
    alice.save()
    assert not DeviceKey.objects.filter(user=alice).exists()
    # Her next visit meets the sign-in page: the service worker drops what the phone kept.
    page.reload()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert_fits_phone(page)
    assert page.evaluate(OFFLINE_STATE) == {"caches": [], "caseload": 0, "outbox": 0}


def test_once_the_app_is_closed_the_phone_alone_cannot_open_what_it_keeps(
    live_server, phone, world, assert_accessible
):
    page = phone
    sign_in(page, live_server.url)
    go_offline(page)
    page.get_by_role("link", name="Log contact with Margaret Kelly").click()
    log_contact(page, "Margaret Kelly", "Talked about the hostel move")
    assert_fits_phone(page)
    # The browser stops the service worker once the app is closed, and with it the key it held.
    cdp = page.context.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    page.reload()
    status = page.locator("#offline-status")
    expect(status).to_contain_text("locked on this phone", timeout=SLOW)
    expect(status).to_contain_text("1 contact(s) wait on this phone")
    expect(page.locator("main")).not_to_contain_text("Margaret")
    assert_accessible(page)
    assert not Contact.objects.exists()
    # Signed in and with a signal, it opens again and what waited is sent, once.
    go_online(page)
    page.get_by_role("link", name="Open My caseload again").click()
    margaret = world["people"]["Margaret"]
    expect(page.locator(f"#row-{margaret.pk.hex} .last-contact")).to_contain_text(
        "today", timeout=SLOW
    )
    assert_fits_phone(page)
    assert Contact.objects.filter(summary="Talked about the hostel move").count() == 1


def test_appointments_marked_without_a_signal_are_recorded_once_when_it_returns(
    live_server, phone, world, assert_accessible, screenshot
):
    """Today's appointments are kept with My caseload: without a signal one is logged as a
    contact (attended) and two as not attended; with the signal back the contact is recorded
    once and linked, and the one cancelled meanwhile waits under "Not sent yet" with why."""
    alice = world["alice"]
    margaret, dev, chloe = (world["people"][n] for n in ("Margaret", "Dev", "Chloe"))
    now = timezone.now()
    # Begun earlier today, in this order, at any hour (an hour ago is yesterday before 01:00).
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    since = min(timedelta(hours=1), now - midnight)
    met = booked_appointment(margaret, worker=alice, starts_at=now - since)
    missed = booked_appointment(dev, worker=alice, starts_at=now - since / 2)
    moved = booked_appointment(chloe, worker=alice, starts_at=now - since / 3)
    coming = booked_appointment(
        chloe, worker=alice, starts_at=now + timedelta(days=2), place="Chloe's hostel"
    )
    page = phone
    base = live_server.url
    sign_in(page, base)
    expect(page.locator(".my-appointments")).to_contain_text("Margaret Kelly")

    # The signal goes: the appointment's "It happened" opens its form from what the phone keeps.
    go_offline(page)
    page.get_by_role("link", name="It happened: log contact with Margaret Kelly").click()
    expect(page.locator("#offline-status")).to_contain_text("You are offline", timeout=SLOW)
    card = page.locator("#offline-appointments")
    expect(card.get_by_role("heading", name="Today")).to_be_visible()
    expect(card.locator(f"#appointment-{coming.pk.hex}")).to_contain_text("Chloe's hostel")
    # Not started yet: it can only be logged as a contact.
    expect(card.locator(f"#appointment-{coming.pk.hex}")).not_to_contain_text("Did not attend")
    form = card.locator(f"#appointment-{met.pk.hex} form")
    expect(form).to_be_visible()
    expect(form.get_by_label("What happened")).to_have_value("Appointment at The library café. ")
    expect(form.get_by_label("Face to face")).to_be_checked()
    assert_accessible(page)
    form.get_by_label("How long, in minutes").fill("45")
    form.get_by_label("What happened").fill("Appointment at The library café. Benefits letter.")
    form.get_by_role("button", name="Save contact").click()
    expect(card.locator(f"#appointment-{met.pk.hex} .waiting-entry")).to_contain_text("Attended")
    card.get_by_role("button", name=re.compile(r"^Did not attend.*Dev Sharma")).click()
    expect(card.locator(f"#appointment-{missed.pk.hex} .waiting-entry")).to_contain_text(
        "Did not attend"
    )
    card.get_by_role("button", name=re.compile(r"^Did not attend.*Chloe Adams")).click()
    expect(card.locator(f"#appointment-{moved.pk.hex} .waiting-entry")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "offline-appointments-waiting")

    # Reloaded without a signal: still waiting. Meanwhile Chloe's is cancelled.
    page.reload()
    expect(card.locator(".waiting-entry")).to_have_count(3, timeout=SLOW)
    assert_fits_phone(page)
    assert not Contact.objects.exists()
    appointment_cancel(appointment=moved, by=world["bob"], reason="Chloe rang to move it")

    # The signal returns: the contact recorded once, linked, the appointment attended.
    go_online(page)
    unsent = page.locator("#offline-queue .unsent-entry")
    expect(unsent).to_have_count(1, timeout=SLOW)
    expect(page.locator("#offline-app")).to_have_count(0)
    expect(unsent).to_contain_text("cancelled meanwhile")
    expect(unsent).to_contain_text("did not attend")
    (contact,) = Contact.objects.all()
    assert contact.summary == "Appointment at The library café. Benefits letter."
    met.refresh_from_db()
    missed.refresh_from_db()
    assert met.status == AppointmentStatus.ATTENDED and met.contact == contact
    assert missed.status == AppointmentStatus.NOT_ATTENDED
    assert_accessible(page)
    screenshot(page, "offline-appointments-unsent")
    unsent.get_by_role("button", name="Discard").click()
    expect(unsent).to_have_count(0)
    page.goto(f"{base}/appointments/{met.pk}/")
    expect(page.locator("main")).to_contain_text("Attended")
    assert_accessible(page)
