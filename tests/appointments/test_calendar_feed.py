"""The personal calendar feed: a secret address, no names or places in it, reset at once, other
users' appointments absent, rate-limited (and open when the cache is down), audited."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from appointments import services
from appointments.models import CalendarFeed, person_reference
from caseload.models import Allocation
from mdt import services as mdt_services
from mdt.models import MdtMeeting, MdtReferral
from smd.audit.models import AuditEvent
from smd.models import Role
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    booked_appointment,
    dsa_for_mdt,
    share_for_mdt,
)
from tests.outages import free_port, redis_cache

NAME = "Marigold"
SURNAME = "Featherstonehaugh"
KNOWN_AS = "Goldie"
PLACE = "14 Acacia Avenue"
ATTENDEE = "Zebedee Quill"
ACTION = "Visit Marigold at the refuge"


@pytest.fixture
def person(team, navigator):
    person = PersonFactory(team=team, first_name=NAME, last_name=SURNAME, known_as=KNOWN_AS)
    AllocationFactory(
        episode=EpisodeFactory(person=person),
        worker=navigator,
        kind=Allocation.Kind.LEAD_NAVIGATOR,
    )
    return person


@pytest.fixture
def token(navigator):
    return services.calendar_feed_reset(user=navigator)


def _feed(client, token):
    return client.get(reverse("appointments:feed", args=[token]))


def _mdt_action(person, owner, team):
    chair = UserFactory(role=Role.MDT_CHAIR, team=team)
    partner = OrganisationFactory(name="Northgate Probation")
    manager = UserFactory(role=Role.MANAGER, team=team)
    dsa_for_mdt(team.organisation, partner, by=manager)
    share_for_mdt(person, partner, by=owner)
    meeting = mdt_services.meeting_create(
        meeting=MdtMeeting(
            team=team, starts_at=timezone.now() + timedelta(days=2), place="Room 4", chair=chair
        ),
        organisations=[],
        members=[],
    )
    referral = MdtReferral.objects.create(
        person=person,
        source="navigator",
        referring_organisation=team.organisation,
        referred_by=owner,
        why_now="Risk rising",
        tried="Hostel",
        asked_of_partners="Joint plan",
        sharing_basis="agreed",
    )
    item = mdt_services.agenda_add(meeting=meeting, person=person, mdt_referral=referral)
    return mdt_services.action_add(
        item=item,
        description=ACTION,
        owner=owner,
        owner_organisation=team.organisation,
        due_on=timezone.localdate() + timedelta(days=3),
        by=chair,
    )


def test_the_feed_names_nobody_and_says_where_only_in_the_app(
    client, navigator, person, team, token
):
    booked_appointment(
        person,
        worker=navigator,
        starts_at=timezone.now() + timedelta(days=1),
        place=PLACE,
        other_attendees=ATTENDEE,
    )
    _mdt_action(person, navigator, team)
    response = _feed(client, token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    body = response.content
    for secret in (NAME, SURNAME, KNOWN_AS, PLACE, ATTENDEE, ACTION, "Acacia", "refuge"):
        assert secret.encode().lower() not in body.lower(), secret
    events = Calendar.from_ical(body).walk("VEVENT")
    titles = sorted(str(e["SUMMARY"]) for e in events)
    reference = person_reference(person.pk)
    # The appointment, the NDT baseline the lead navigator owes (due today) and the
    # MDT action they own; each by reference only, with a link into the app.
    assert titles == [
        f"Appointment · {reference}",
        f"MDT action due · {reference}",
        f"NDT baseline due · {reference}",
    ]
    appointment_event = next(e for e in events if str(e["SUMMARY"]).startswith("Appointment"))
    assert str(appointment_event["LOCATION"]) == "See the app"
    assert "/appointments/" in str(appointment_event["URL"])


def test_other_users_appointments_are_not_in_the_feed(client, navigator, person, team, token):
    colleague = UserFactory(role=Role.NAVIGATOR, team=team)
    mine = booked_appointment(person, worker=navigator)
    theirs = booked_appointment(person, worker=colleague)
    body = _feed(client, token).content.decode()
    assert str(mine.pk) in body
    assert str(theirs.pk) not in body


def test_a_cancelled_appointment_leaves_the_feed(client, navigator, person, token):
    appointment = booked_appointment(person, worker=navigator)
    services.appointment_cancel(appointment=appointment, by=navigator, reason="Moved")
    assert str(appointment.pk) not in _feed(client, token).content.decode()


def test_a_reset_kills_the_old_address_at_once(client, navigator, token):
    assert _feed(client, token).status_code == 200
    new = services.calendar_feed_reset(user=navigator)
    assert new != token
    assert _feed(client, token).status_code == 404
    assert _feed(client, new).status_code == 200
    assert CalendarFeed.objects.count() == 1


def test_a_wrong_address_or_a_deactivated_users_is_not_found(client, navigator, token):
    assert _feed(client, token[:-1] + ("A" if token[-1] != "A" else "B")).status_code == 404
    assert _feed(client, "x" * 200).status_code == 404
    navigator.is_active = False
    navigator.save()
    assert _feed(client, token).status_code == 404


def test_only_a_hash_of_the_secret_is_stored(navigator, token):
    feed = CalendarFeed.objects.get(user=navigator)
    assert token not in feed.token_hash
    assert len(token) >= 40  # 256 bits, URL-safe


def test_each_fetch_is_audited_without_the_secret(client, navigator, token):
    _feed(client, token)
    event = AuditEvent.objects.get(description="Calendar feed fetched")
    assert event.user == navigator and event.action == "export"
    assert token not in (event.path or "") and token not in event.object_id
    assert CalendarFeed.objects.get(user=navigator).last_fetched_at is not None


def test_the_feed_is_rate_limited(client, navigator, token, settings):
    settings.CALENDAR_FEED_RATE_LIMIT = "3/h"
    for _ in range(3):
        assert _feed(client, token).status_code == 200
    assert _feed(client, token).status_code == 429


def test_with_the_cache_down_the_feed_is_served(client, navigator, token, settings, caplog):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, "appointments.views"):
        assert _feed(client, token).status_code == 200
    assert "limit not applied: the cache is unavailable" in caplog.text


def test_the_page_shows_a_new_address_once_and_explains_subscribing(navigator_client, navigator):
    url = reverse("appointments:calendar")
    page = navigator_client.get(url).content.decode()
    assert "How to subscribe" in page and "/calendar/feed/" not in page
    made = navigator_client.post(url)
    assert made.status_code == 200
    shown = made.content.decode()
    start = shown.index("/calendar/feed/")
    address = shown[start : shown.index('"', start)]
    token = address.removeprefix("/calendar/feed/").removesuffix(".ics")
    assert CalendarFeed.objects.for_token(token).user == navigator
    assert "/calendar/feed/" not in navigator_client.get(url).content.decode()
    # Making another kills the first.
    navigator_client.post(url)
    assert CalendarFeed.objects.for_token(token) is None
