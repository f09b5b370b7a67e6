"""Appointments: booking one with a person, seeing it on My caseload, the person page and the
timeline, changing and cancelling it, and turning it into a contact or a did-not-attend."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from appointments import selectors, services
from appointments.models import Appointment, AppointmentStatus
from caseload.models import Allocation, Contact
from smd.audit.models import AuditEvent
from smd.models import Role
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    UserFactory,
    booked_appointment,
    current_version,
    new_key,
)


@pytest.fixture
def person(team, navigator):
    person = PersonFactory(
        team=team,
        first_name="Marigold",
        last_name="Featherstonehaugh",
        contact_notes="Only call after 6pm.",
    )
    AllocationFactory(
        episode=EpisodeFactory(person=person),
        worker=navigator,
        kind=Allocation.Kind.LEAD_NAVIGATOR,
    )
    return person


def _day(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _booking(navigator, **extra):
    return {
        "on": _day(1),
        "start": "10:30",
        "end": "11:15",
        "kind": "face_to_face",
        "place": "The library café",
        "worker": str(navigator.pk),
        "other_attendees": "Sam from housing",
        "remind_before_hours": "24",
        **new_key(),
        **extra,
    }


# --- booking ----------------------------------------------------------------------------------


def test_it_books_an_appointment_once_however_often_it_is_sent(navigator_client, navigator, person):
    url = reverse("appointments:new", args=[person.pk])
    page = navigator_client.get(url)
    assert page.status_code == 200
    assert "Only call after 6pm." in page.content.decode()  # how to reach them safely
    data = _booking(navigator)
    first = navigator_client.post(url, data)
    second = navigator_client.post(url, data)
    assert first.status_code == second.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.person == person
    assert appointment.worker == navigator == appointment.booked_by
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "10:30"
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=45)
    assert appointment.remind_before_hours == 24
    assert appointment.remind_at == appointment.starts_at - timedelta(hours=24)
    assert appointment.other_attendees == "Sam from housing"
    assert AuditEvent.objects.filter(
        person_id=person.pk, description="New appointment", action="create"
    ).exists()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"on": _day(-1)}, "on", "That date has passed"),
        ({"end": "09:00"}, "end", "The end must be after the start"),
        ({"on": _day(400)}, "on", "more than a year ahead"),
        ({"place": ""}, "place", "needs an answer"),
        ({"start": "25:99"}, "start", "Enter a time"),
    ],
)
def test_a_booking_with_a_mistake_is_refused_keeping_the_typing(
    navigator_client, navigator, person, change, field, message
):
    url = reverse("appointments:new", args=[person.pk])
    data = _booking(navigator, **change)
    response = navigator_client.post(url, data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "Sam from housing" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_worker_must_be_in_the_persons_team(navigator_client, navigator, person, other_team):
    stranger = UserFactory(role=Role.NAVIGATOR, team=other_team)
    url = reverse("appointments:new", args=[person.pk])
    response = navigator_client.post(url, _booking(navigator, worker=str(stranger.pk)))
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_a_peer_mentor_books_only_for_their_own_people(client_for, team, person):
    mentor = UserFactory(role=Role.PEER_MENTOR, team=team)
    client = client_for(mentor)
    url = reverse("appointments:new", args=[person.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _booking(mentor)).status_code == 404
    AllocationFactory(
        episode=person.episodes.get(), worker=mentor, kind=Allocation.Kind.PEER_MENTOR
    )
    assert client.post(url, _booking(mentor)).status_code == 302
    assert Appointment.objects.get().worker == mentor


def test_earlier_places_are_offered_when_booking(navigator_client, navigator, person):
    booked_appointment(person, worker=navigator, place="St Anne's drop-in")
    page = navigator_client.get(reverse("appointments:new", args=[person.pk])).content.decode()
    assert '<option value="St Anne&#x27;s drop-in">' in page


# --- where it shows ---------------------------------------------------------------------------


def _at(days, hour):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def test_my_caseload_shows_todays_and_this_weeks_appointments(
    navigator_client, navigator, person, team, count_queries
):
    url = reverse("caseload:my_caseload")
    before = count_queries.page(navigator_client, url)
    booked_appointment(person, worker=navigator, starts_at=_at(0, 23), place="Café A")
    booked_appointment(person, worker=navigator, starts_at=_at(3, 9), place="Café B")
    booked_appointment(person, worker=navigator, starts_at=_at(9, 9), place="Café C")
    colleague = UserFactory(role=Role.NAVIGATOR, team=team)
    booked_appointment(person, worker=colleague, starts_at=_at(1, 9), place="Café D")
    cancelled = booked_appointment(person, worker=navigator, starts_at=_at(2, 9), place="Café E")
    services.appointment_cancel(appointment=cancelled, by=navigator, reason="Moved")
    # The panel is one query, however many appointments it lists.
    assert count_queries.page(navigator_client, url) == before
    page = navigator_client.get(url).content.decode()
    panel = page[page.index("my-appointments-h") : page.index("</section>")]
    assert "Today" in panel and "Café A" in panel
    assert "This week" in panel and "Café B" in panel
    for absent in ("Café C", "Café D", "Café E"):  # next week, a colleague's, cancelled
        assert absent not in panel


def test_the_person_page_shows_upcoming_and_recent_and_costs_the_same_with_more(
    navigator_client, navigator, person, count_queries
):
    booked_appointment(person, worker=navigator, starts_at=_at(2, 10), place="Café A")
    before = count_queries.page(navigator_client, person.get_absolute_url())
    booked_appointment(person, worker=navigator, starts_at=_at(5, 10), place="Café B")
    past = booked_appointment(person, worker=navigator, starts_at=_at(-3, 10), place="Café C")
    services.appointment_not_attended(appointment=past, by=navigator)
    assert count_queries.page(navigator_client, person.get_absolute_url()) == before
    page = navigator_client.get(person.get_absolute_url()).content.decode()
    panel = page[page.index('id="appointments-h"') :]
    panel = panel[: panel.index("</section>")]
    assert "Coming up" in panel and "Café A" in panel and "Café B" in panel
    assert "Recent" in panel and "Did not attend" in panel


def test_appointments_are_on_the_timeline(navigator_client, navigator, person):
    booked_appointment(person, worker=navigator, place="The Quiet Room")
    page = navigator_client.get(person.get_absolute_url(), {"kind": "appointments"})
    assert "The Quiet Room" in page.content.decode()


def test_the_detail_page_pins_its_queries(navigator_client, navigator, person, count_queries):
    appointment = booked_appointment(person, worker=navigator)
    # session, user, the device that gave the second factor; the appointment with its person,
    # staff and contact; the audit entry; the top bar's count of unread notifications
    assert count_queries.page(navigator_client, appointment.get_absolute_url()) == 6


# --- changing and cancelling -----------------------------------------------------------------


def test_a_stale_change_is_refused_keeping_the_typing(navigator_client, navigator, person):
    appointment = booked_appointment(person, worker=navigator, starts_at=_at(2, 10))
    url = reverse("appointments:edit", args=[appointment.pk])
    seen = current_version(appointment)
    services.appointment_change(
        appointment=appointment,
        by=navigator,
        place="Moved by a colleague",
        remind_before_hours=None,
    )
    data = {
        "on": _day(2),
        "start": "10:00",
        "kind": "phone",
        "place": "My typed place",
        "worker": str(navigator.pk),
        "version": seen,
    }
    response = navigator_client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else saved this record" in page
    assert "My typed place" in page and "Moved by a colleague" in page
    appointment.refresh_from_db()
    assert appointment.place == "Moved by a colleague"
    # Sent again from the refused page (which now carries the new version), it saves.
    response = navigator_client.post(url, {**data, "version": current_version(appointment)})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.place == "My typed place" and appointment.kind == "phone"


def test_cancelling_needs_a_reason(navigator_client, navigator, person):
    appointment = booked_appointment(person, worker=navigator, starts_at=_at(2, 10))
    url = reverse("appointments:cancel", args=[appointment.pk])
    version = current_version(appointment)
    assert navigator_client.post(url, {"reason": "", "version": version}).status_code == 400
    response = navigator_client.post(url, {"reason": "They are in hospital", "version": version})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancel_reason == "They are in hospital"
    # A cancelled appointment cannot be cancelled again or changed.
    response = navigator_client.post(
        url, {"reason": "Again", "version": current_version(appointment)}
    )
    assert response.status_code == 400


# --- when it happens --------------------------------------------------------------------------


def test_it_becomes_a_contact_prefilled_linked_and_attended_once(
    navigator_client, navigator, person
):
    # Two hours ago, to the minute: an appointment already begun, whatever the time of day
    # (half past midnight today would still be ahead in the first half hour of the day).
    starts = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=2)
    appointment = booked_appointment(
        person,
        worker=navigator,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=40),
        place="The library café",
    )
    url = reverse("appointments:attended", args=[appointment.pk])
    form = navigator_client.get(url).context["form"]
    assert form.initial["kind"] == "face_to_face"
    assert form.initial["duration_minutes"] == 40
    assert form.initial["occurred_at"] == timezone.localtime(starts)
    assert "The library café" in form.initial["summary"]
    data = {
        "kind": "face_to_face",
        "duration_minutes": "40",
        "occurred_at": timezone.localtime(starts).strftime("%Y-%m-%dT%H:%M"),
        "summary": "Appointment at the library café. Talked about the flat.",
        "with_person": "on",
        **new_key(),
    }
    assert navigator_client.post(url, data).status_code == 302
    assert navigator_client.post(url, data).status_code == 302  # a double tap
    contact = Contact.objects.get()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED
    assert appointment.contact == contact
    assert contact.author == navigator and contact.duration_minutes == 40
    assert appointment.outcome_by == navigator


def test_a_contact_with_a_mistake_leaves_the_appointment_booked(
    navigator_client, navigator, person
):
    appointment = booked_appointment(person, worker=navigator)
    url = reverse("appointments:attended", args=[appointment.pk])
    data = {"kind": "face_to_face", "duration_minutes": "0", "summary": "", **new_key()}
    response = navigator_client.post(url, {**data, "occurred_at": "nonsense"})
    assert response.status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not Contact.objects.exists()


def test_if_the_contact_fails_to_save_the_appointment_stays_booked(navigator, person):
    """One transaction: a contact the database refuses leaves the appointment as it was."""
    appointment = booked_appointment(person, worker=navigator)
    with pytest.raises(IntegrityError):
        services.appointment_attend(
            appointment=appointment,
            by=navigator,
            submission_key=uuid.uuid4(),
            occurred_at=timezone.now(),
            kind="face_to_face",
            duration_minutes=9999,  # over the database's limit
            summary="x",
        )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED and appointment.contact is None


def test_did_not_attend_is_recorded_once_it_has_started(navigator_client, navigator, person):
    later = booked_appointment(person, worker=navigator, starts_at=_at(2, 10))
    url = reverse("appointments:not_attended", args=[later.pk])
    navigator_client.post(url, {"version": current_version(later)})
    later.refresh_from_db()
    assert later.status == AppointmentStatus.BOOKED
    missed = booked_appointment(person, worker=navigator)
    url = reverse("appointments:not_attended", args=[missed.pk])
    assert navigator_client.post(url, {"version": current_version(missed)}).status_code == 302
    missed.refresh_from_db()
    assert missed.status == AppointmentStatus.NOT_ATTENDED
    # Then it cannot also become a contact.
    response = navigator_client.get(reverse("appointments:attended", args=[missed.pk]))
    assert response.status_code == 302


def test_another_teams_appointment_is_not_found(client_for, other_team, navigator, person):
    appointment = booked_appointment(person, worker=navigator)
    stranger = client_for(UserFactory(role=Role.TEAM_LEADER, team=other_team))
    for name in ("detail", "edit", "cancel", "attended"):
        url = reverse(f"appointments:{name}", args=[appointment.pk])
        assert stranger.get(url).status_code == 404, name
    url = reverse("appointments:not_attended", args=[appointment.pk])
    assert stranger.post(url, {"version": current_version(appointment)}).status_code == 404


def test_a_stale_cancel_is_refused_keeping_the_typed_reason(navigator_client, navigator, person):
    appointment = booked_appointment(person, worker=navigator, starts_at=_at(2, 10))
    seen = current_version(appointment)
    services.appointment_change(
        appointment=appointment, by=navigator, place="Moved", remind_before_hours=None
    )
    url = reverse("appointments:cancel", args=[appointment.pk])
    response = navigator_client.post(url, {"reason": "My typed reason", "version": seen})
    assert response.status_code == 400
    assert "Someone else saved this record" in response.content.decode()
    assert "My typed reason" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_forms_pin_their_queries(navigator_client, navigator, person, count_queries):
    for n in range(3):
        booked_appointment(person, worker=navigator, place=f"Place {n}")
    appointment = booked_appointment(person, worker=navigator)
    # Each page also counts the unread notifications for the top bar.
    pages = {
        # session, user, device; the person; the earlier places; the staff to choose from; the
        # audit entry
        reverse("appointments:new", args=[person.pk]): 8,
        # session, user, device; the appointment with its person; the earlier places; the
        # staff; the audit entry
        reverse("appointments:edit", args=[appointment.pk]): 8,
        # session, user, device; the appointment with its person; the audit entry
        reverse("appointments:cancel", args=[appointment.pk]): 6,
        # session, user, device; the appointment with its person; the active agencies offered;
        # the audit entry
        reverse("appointments:attended", args=[appointment.pk]): 7,
        # session, user, device; the user's feed, if any
        reverse("appointments:calendar"): 5,
    }
    counted = {url: count_queries.page(navigator_client, url) for url in pages}
    assert counted == pages


def test_reminders_fall_due_at_the_chosen_time_before_a_booked_appointment(navigator, person):
    now = timezone.now()
    hour = booked_appointment(
        person, worker=navigator, starts_at=now + timedelta(minutes=50), remind_before_hours=1
    )
    day = booked_appointment(
        person, worker=navigator, starts_at=now + timedelta(hours=30), remind_before_hours=24
    )
    booked_appointment(person, worker=navigator, starts_at=now + timedelta(minutes=30))
    later = booked_appointment(
        person, worker=navigator, starts_at=now + timedelta(hours=9), remind_before_hours=2
    )
    cancelled = booked_appointment(
        person, worker=navigator, starts_at=now + timedelta(minutes=40), remind_before_hours=1
    )
    services.appointment_cancel(appointment=cancelled, by=navigator, reason="Moved")
    due = selectors.reminders_due(since=now - timedelta(minutes=15), until=now + timedelta(hours=6))
    assert due == [hour, day]
    assert later.remind_at == later.starts_at - timedelta(hours=2)


def test_an_attempt_is_not_an_attended_appointment(navigator_client, navigator, person):
    appointment = booked_appointment(person, worker=navigator)
    url = reverse("appointments:attended", args=[appointment.pk])
    data = {
        "kind": "attempted",
        "duration_minutes": "10",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "summary": "Waited, they did not come.",
        **new_key(),
    }
    response = navigator_client.post(url, data)
    assert response.status_code == 400
    assert "Did not attend" in " ".join(response.context["form"].errors["kind"])
    assert "Waited, they did not come." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED and not Contact.objects.exists()
