"""The phone app and appointments (ADR 0033): the kept caseload carries the worker's
appointments for the week My caseload shows, and an appointment marked attended (with its
contact) or not attended without a signal is answered in JSON when it arrives."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_cancel, appointment_not_attended
from caseload.models import Allocation, Contact
from smd.audit.models import AuditAction, AuditEvent
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    booked_appointment,
    new_key,
)

pytestmark = pytest.mark.django_db


def allocate(person, worker):
    return AllocationFactory(
        episode=EpisodeFactory(person=person), worker=worker, kind=Allocation.Kind.LEAD_NAVIGATOR
    )


@pytest.fixture
def margaret(team, navigator):
    person = PersonFactory(team=team, first_name="Margaret", last_name="Kelly")
    allocate(person, navigator)
    return person


@pytest.fixture
def appointment(margaret, navigator):
    return booked_appointment(margaret, worker=navigator)


def contact_post(**overrides):
    data = {
        **new_key(),
        "kind": "face_to_face",
        "duration_minutes": "30",
        "summary": "Appointment at The library café. Went through the benefits letter.",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "with_person": "on",
        "from": "caseload",
    }
    data.update(overrides)
    return data


def attended_url(appointment):
    return reverse("offline:appointment_attended", args=[appointment.pk])


def not_attended_url(appointment):
    return reverse("offline:appointment_not_attended", args=[appointment.pk])


# --- what the phone keeps -----------------------------------------------------------------------


def test_the_kept_caseload_carries_this_weeks_appointments_as_my_caseload_shows_them(
    navigator, navigator_client, margaret, team, team_leader
):
    today = booked_appointment(margaret, worker=navigator)
    later = booked_appointment(
        margaret, worker=navigator, starts_at=timezone.now() + timedelta(days=3), place="Hostel"
    )
    # Not on My caseload: a week away, cancelled, someone else's, or with someone not allocated.
    booked_appointment(margaret, worker=navigator, starts_at=timezone.now() + timedelta(days=9))
    gone = booked_appointment(margaret, worker=navigator, place="Moved")
    appointment_cancel(appointment=gone, by=navigator, reason="They asked to move it.")
    booked_appointment(margaret, worker=team_leader)
    stranger = PersonFactory(team=team, first_name="Unallocated")
    booked_appointment(stranger, worker=navigator)

    data = navigator_client.get(reverse("offline:caseload_data")).json()
    assert [a["id"] for a in data["appointments"]] == [str(today.pk), str(later.pk)]
    row = data["appointments"][0]
    assert set(row) == {"id", "person", "starts_at", "ends_at", "kind", "kind_label", "place"}
    assert row["person"] == str(margaret.pk)
    assert row["kind"] == "face_to_face" and row["kind_label"] == "Face to face"
    assert row["place"] == "The library café"
    assert row["starts_at"] == timezone.localtime(today.starts_at).isoformat()
    assert data["appointments"][1]["place"] == "Hostel"
    assert str(stranger.pk) not in str(data)
    # Who else attends, reminders, who booked it: never.
    assert "other_attendees" not in str(data) and "booked_by" not in str(data)


def test_the_kept_caseload_costs_the_same_however_many_appointments(
    navigator, navigator_client, margaret, team, count_queries
):
    url = reverse("offline:caseload_data")
    booked_appointment(margaret, worker=navigator)
    few = count_queries.page(navigator_client, url)
    for day in range(1, 6):
        other = PersonFactory(team=team)
        allocate(other, navigator)
        booked_appointment(other, worker=navigator, starts_at=timezone.now() + timedelta(days=day))
    assert count_queries.page(navigator_client, url) == few == 6
    assert len(navigator_client.get(url).json()["appointments"]) == 6


def test_the_key_names_where_the_phone_sends_appointments(navigator_client):
    answer = navigator_client.get(reverse("offline:key")).json()
    zero = "00000000-0000-0000-0000-000000000000"
    assert answer["attended_url"] == f"/offline/appointments/{zero}/attended/"
    assert answer["not_attended_url"] == f"/offline/appointments/{zero}/not-attended/"


# --- attended, with its contact -----------------------------------------------------------------


def test_an_attended_appointment_from_the_phone_logs_its_contact_and_is_marked_attended(
    navigator, navigator_client, appointment, margaret
):
    response = navigator_client.post(attended_url(appointment), contact_post())
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "recorded" and answer["repeat"] is False
    contact = Contact.objects.get()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED
    assert appointment.contact == contact and str(contact.pk) == answer["contact"]
    assert contact.person == margaret and contact.author == navigator
    event = AuditEvent.objects.get(user=navigator)
    assert event.action == AuditAction.CREATE and event.person_id == margaret.pk


def test_an_attended_appointment_sent_twice_is_recorded_once(navigator_client, appointment):
    data = contact_post()
    first = navigator_client.post(attended_url(appointment), data)
    again = navigator_client.post(attended_url(appointment), data)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["repeat"] is True
    assert again.json()["contact"] == first.json()["contact"]
    assert Contact.objects.count() == 1


def test_an_appointment_cancelled_meanwhile_refuses_its_contact(
    navigator, navigator_client, appointment
):
    appointment_cancel(appointment=appointment, by=navigator, reason="Hospital appointment")
    response = navigator_client.post(attended_url(appointment), contact_post())
    assert response.status_code == 409
    answer = response.json()
    assert answer["status"] == "refused"
    assert "was cancelled meanwhile (Hospital appointment)" in answer["message"]
    assert not Contact.objects.exists()


def test_an_appointment_already_recorded_refuses_another_contact(
    navigator, navigator_client, appointment
):
    appointment_not_attended(appointment=appointment, by=navigator)
    response = navigator_client.post(attended_url(appointment), contact_post())
    assert response.status_code == 409
    assert "already recorded as did not attend" in response.json()["message"].lower()
    assert not Contact.objects.exists()


def test_an_appointment_attended_by_another_contact_refuses_the_phones(
    navigator_client, appointment
):
    assert navigator_client.post(attended_url(appointment), contact_post()).status_code == 201
    response = navigator_client.post(attended_url(appointment), contact_post())
    assert response.status_code == 409
    assert "already recorded as attended" in response.json()["message"]
    assert Contact.objects.count() == 1


def test_an_attended_appointment_with_a_mistake_is_refused_with_the_reasons(
    navigator_client, appointment
):
    response = navigator_client.post(attended_url(appointment), contact_post(summary=""))
    assert response.status_code == 422
    answer = response.json()
    assert answer["status"] == "refused" and "summary" in answer["errors"]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not Contact.objects.exists()


def test_an_attempt_is_not_an_attended_appointment(navigator_client, appointment):
    response = navigator_client.post(attended_url(appointment), contact_post(kind="attempted"))
    assert response.status_code == 422
    assert "Did not attend" in str(response.json()["errors"])


def test_an_appointment_with_someone_handed_over_meanwhile_is_refused(
    navigator, navigator_client, appointment, margaret, team, make_user
):
    Allocation.objects.filter(episode__person=margaret).update(worker=make_user())
    for url, data in (
        (attended_url(appointment), contact_post()),
        (not_attended_url(appointment), {}),
    ):
        response = navigator_client.post(url, data)
        assert response.status_code == 409
        assert "no longer on your caseload" in response.json()["message"]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not Contact.objects.exists()


def test_another_workers_appointment_is_not_found(navigator_client, margaret, team_leader):
    theirs = booked_appointment(margaret, worker=team_leader)
    assert navigator_client.post(attended_url(theirs), contact_post()).status_code == 404
    assert navigator_client.post(not_attended_url(theirs)).status_code == 404
    assert Appointment.objects.get(pk=theirs.pk).status == AppointmentStatus.BOOKED


def test_a_worker_without_a_caseload_cannot_send_appointments(team_leader_client, appointment):
    response = team_leader_client.post(attended_url(appointment), contact_post())
    assert response.status_code == 403
    assert response.json()["status"] == "refused"


# --- did not attend -----------------------------------------------------------------------------


def test_did_not_attend_from_the_phone_is_recorded(navigator, navigator_client, appointment):
    response = navigator_client.post(not_attended_url(appointment))
    assert response.status_code == 201
    assert response.json() == {
        "status": "recorded",
        "appointment": str(appointment.pk),
        "repeat": False,
    }
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NOT_ATTENDED
    assert appointment.outcome_by == navigator
    assert AuditEvent.objects.filter(user=navigator).exists()


def test_did_not_attend_sent_twice_is_answered_as_a_repeat(navigator_client, appointment):
    assert navigator_client.post(not_attended_url(appointment)).status_code == 201
    again = navigator_client.post(not_attended_url(appointment))
    assert again.status_code == 200
    assert again.json()["status"] == "recorded" and again.json()["repeat"] is True


def test_did_not_attend_for_an_appointment_cancelled_meanwhile_is_refused(
    navigator, navigator_client, appointment
):
    appointment_cancel(appointment=appointment, by=navigator, reason="They moved away")
    response = navigator_client.post(not_attended_url(appointment))
    assert response.status_code == 409
    assert "cancelled meanwhile" in response.json()["message"]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_did_not_attend_for_an_appointment_attended_meanwhile_is_refused(
    navigator_client, appointment
):
    navigator_client.post(attended_url(appointment), contact_post())
    response = navigator_client.post(not_attended_url(appointment))
    assert response.status_code == 409
    assert "already recorded as attended" in response.json()["message"]


def test_did_not_attend_before_the_appointment_started_is_refused(
    navigator, navigator_client, margaret
):
    later = booked_appointment(
        margaret, worker=navigator, starts_at=timezone.now() + timedelta(hours=2)
    )
    response = navigator_client.post(not_attended_url(later))
    assert response.status_code == 409
    assert "has not started yet" in response.json()["message"]
    later.refresh_from_db()
    assert later.status == AppointmentStatus.BOOKED


def test_the_appointment_endpoints_answer_only_posts(navigator_client, appointment):
    assert navigator_client.get(attended_url(appointment)).status_code == 405
    assert navigator_client.get(not_attended_url(appointment)).status_code == 405


def test_the_caseload_frame_has_the_appointments_card_and_no_names(
    navigator_client, appointment, count_queries
):
    url = reverse("offline:caseload_shell")
    page = navigator_client.get(url).content.decode()
    assert 'id="offline-appointments"' in page and "My appointments" in page
    assert "Margaret" not in page and "library" not in page
    # The same as before the card: it is filled by the page's script, not the server.
    assert count_queries.page(navigator_client, url) == 4
