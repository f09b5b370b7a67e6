"""The phone app's server side (ADR 0033): the service worker and manifest, the pages kept for
use without a signal, the device key (only after a full sign-in, destroyed on deactivation),
the caseload a phone may keep, Clear-Site-Data when a session ends, and the JSON answer to a
contact sent from the phone's queue."""

import base64
import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caseload.models import Allocation, Contact, EpisodeStatus, ExitDestination, RiskFlag
from offline.models import DeviceKey
from smd.audit.models import AuditAction, AuditEvent
from smd.middleware import LOGIN_AT
from smd.models import Role
from tests.conftest import app_device, sign_in
from tests.factories import (
    AllocationFactory,
    ContactFactory,
    EpisodeFactory,
    PersonFactory,
    new_key,
)

pytestmark = pytest.mark.django_db

PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


def allocate(person, worker, kind=Allocation.Kind.LEAD_NAVIGATOR):
    return AllocationFactory(episode=EpisodeFactory(person=person), worker=worker, kind=kind)


@pytest.fixture
def margaret(team, navigator):
    person = PersonFactory(
        team=team,
        first_name="Margaret",
        last_name="Kelly",
        known_as="Peggy",
        risk_flags=[RiskFlag.choices[0][0]],
    )
    allocate(person, navigator)
    return person


def contact_post(**overrides):
    data = {
        **new_key(),
        "kind": "face_to_face",
        "duration_minutes": "20",
        "summary": "Talked about the hostel move",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "with_person": "on",
        "from": "caseload",
    }
    data.update(overrides)
    return data


def send_url(person):
    return reverse("offline:contact_send", args=[person.pk])


# --- installing ---------------------------------------------------------------------------------


def test_the_service_worker_is_served_from_the_root_with_the_apps_addresses(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert 'import { start } from "/static/js/offline/sw.js";' in body
    assert '"caseload": "/people/caseload/"' in body
    assert '"signIn": "/accounts/login/"' in body


def test_the_manifest_names_the_app_its_start_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/people/caseload/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_every_signed_in_page_links_the_manifest_and_the_phone_script(navigator_client, margaret):
    page = navigator_client.get(reverse("caseload:my_caseload")).content.decode()
    assert 'rel="manifest"' in page
    assert "js/offline/page.js" in page


def test_the_offline_page_names_nobody(client):
    response = client.get(reverse("offline:offline"))
    assert response.status_code == 200
    assert b"You are offline" in response.content


def test_the_caseload_frame_holds_the_contact_form_and_no_names(
    navigator, navigator_client, margaret, count_queries
):
    url = reverse("offline:caseload_shell")
    response = navigator_client.get(url)
    page = response.content.decode()
    assert 'id="offline-contact-form"' in page
    assert 'name="summary"' in page
    assert "Margaret" not in page
    # Not even the signed-in user's own name: the frame is kept in the phone's cache.
    assert navigator.first_name not in page
    # The session, the user, the second factor's device, the agencies for the form.
    assert count_queries.page(navigator_client, url) == 4


# --- the device key -----------------------------------------------------------------------------


def test_the_key_is_handed_over_only_after_the_second_factor(navigator):
    client = Client()
    client.force_login(navigator, backend=PASSWORD_BACKEND)
    app_device(navigator)
    response = client.get(reverse("offline:key"))
    # A password alone: refused outright, not sent to the code step for a script to follow.
    assert response.status_code == 403
    assert not DeviceKey.objects.exists()
    sign_in(client, navigator)
    response = client.get(reverse("offline:key"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    answer = response.json()
    raw = base64.urlsafe_b64decode(answer["key"] + "==")
    assert len(raw) == 32
    assert raw == bytes(DeviceKey.objects.get(user=navigator).key)
    assert answer["user"] == str(navigator.pk)
    assert answer["hours"] == 12
    assert answer["csrf"]
    # The same key each time: what the phone kept yesterday opens today.
    assert client.get(reverse("offline:key")).json()["key"] == answer["key"]


def test_signed_out_the_key_is_not_handed_over(client):
    response = client.get(reverse("offline:key"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_only_those_with_a_caseload_get_a_key(team_leader_client):
    assert team_leader_client.get(reverse("offline:key")).status_code == 403
    assert not DeviceKey.objects.exists()


def test_deactivating_a_user_destroys_their_key(navigator, navigator_client, settings):
    first = navigator_client.get(reverse("offline:key")).json()["key"]
    navigator.is_active = False
    navigator.save()
    assert not DeviceKey.objects.filter(user=navigator).exists()
    # Back again later, they get a new key: what the old one wrapped stays unreadable.
    navigator.is_active = True
    navigator.save()
    again = sign_in(Client(), navigator).get(reverse("offline:key")).json()["key"]
    assert again != first


# --- the caseload a phone may keep --------------------------------------------------------------


def test_the_kept_caseload_is_what_the_caseload_page_shows_and_nothing_more(
    navigator, navigator_client, margaret, team
):
    ContactFactory(person=margaret, author=navigator, follow_up_action="Call the housing team")
    someone_else = PersonFactory(team=team, first_name="Unallocated")
    response = navigator_client.get(reverse("offline:caseload_data"))
    assert response.status_code == 200
    data = response.json()
    assert data["hours"] == 12
    (row,) = data["people"]
    assert set(row) == {
        "id",
        "name",
        "short_name",
        "paused",
        "flags",
        "last_contact_on",
        "last_contact_kind",
        "last_attempt_on",
        "next_action",
        "next_action_due",
    }
    assert row["name"] == "Margaret Kelly (Peggy)"
    assert row["short_name"] == "Peggy"
    assert row["flags"] == [RiskFlag.choices[0][1]]
    assert row["next_action"] == "Call the housing team"
    assert row["last_contact_on"] == timezone.localdate().isoformat()
    assert str(someone_else.pk) not in response.content.decode()
    # What the contact said, the timeline, notes: never.
    assert "summary" not in response.content.decode()


def test_keeping_the_caseload_on_a_phone_is_in_the_audit_log(navigator, navigator_client, margaret):
    navigator_client.get(reverse("offline:caseload_data"))
    event = AuditEvent.objects.get(user=navigator)
    assert event.action == AuditAction.EXPORT


def test_the_kept_caseload_costs_the_same_however_many_people(
    navigator, navigator_client, margaret, team, count_queries
):
    url = reverse("offline:caseload_data")
    few = count_queries.page(navigator_client, url)
    for _ in range(5):
        allocate(PersonFactory(team=team), navigator)
    # The session, the user, the second factor's device, the caseload, the appointments, the
    # audit entry.
    assert count_queries.page(navigator_client, url) == few == 6


# --- when a session ends ------------------------------------------------------------------------


def test_signing_out_tells_the_browser_to_drop_its_cache(navigator_client):
    response = navigator_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'


def test_a_session_that_ran_out_tells_the_browser_to_drop_its_cache(navigator_client, settings):
    session = navigator_client.session
    session[LOGIN_AT] = time.time() - settings.SESSION_MAX_SECONDS - 1
    session.save()
    response = navigator_client.get(reverse("caseload:my_caseload"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'


# --- a contact sent from the phone --------------------------------------------------------------


def test_a_queued_contact_is_recorded_and_answered_in_json(navigator, navigator_client, margaret):
    response = navigator_client.post(send_url(margaret), contact_post())
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "recorded" and answer["repeat"] is False
    contact = Contact.objects.get()
    assert str(contact.pk) == answer["contact"]
    assert contact.author == navigator and contact.summary == "Talked about the hostel move"
    event = AuditEvent.objects.get(user=navigator)
    assert event.action == AuditAction.CREATE and event.person_id == margaret.pk


def test_a_queued_contact_sent_twice_is_recorded_once(navigator_client, margaret):
    data = contact_post()
    assert navigator_client.post(send_url(margaret), data).status_code == 201
    again = navigator_client.post(send_url(margaret), data)
    assert again.status_code == 200
    assert again.json() == {**again.json(), "status": "recorded", "repeat": True}
    assert Contact.objects.count() == 1


def test_a_contact_with_a_mistake_is_refused_with_the_reasons(navigator_client, margaret):
    response = navigator_client.post(
        send_url(margaret), contact_post(summary="", duration_minutes="lots")
    )
    assert response.status_code == 422
    answer = response.json()
    assert answer["status"] == "refused"
    assert answer["errors"]["summary"] == ["Write a few words about what happened."]
    assert answer["errors"]["duration_minutes"] == ["Enter the number of minutes, like 20."]
    assert not Contact.objects.exists()


def test_a_contact_without_its_one_time_key_is_refused(navigator_client, margaret):
    data = contact_post()
    del data["submission_key"]
    response = navigator_client.post(send_url(margaret), data)
    assert response.status_code == 422
    assert response.json()["errors"]["__all__"]
    assert not Contact.objects.exists()


def test_a_contact_for_someone_handed_over_meanwhile_is_refused(
    navigator, navigator_client, margaret, make_user
):
    allocation = Allocation.objects.get(episode__person=margaret, worker=navigator)
    allocation.ended_at = timezone.now()
    allocation.save()
    AllocationFactory(
        episode=allocation.episode, worker=make_user(), kind=Allocation.Kind.LEAD_NAVIGATOR
    )
    response = navigator_client.post(send_url(margaret), contact_post())
    assert response.status_code == 409
    assert "no longer on your caseload" in response.json()["message"]
    assert not Contact.objects.exists()


def test_a_contact_for_someone_whose_support_closed_is_refused(navigator_client, margaret):
    margaret.episodes.update(
        status=EpisodeStatus.CLOSED,
        end_date=timezone.localdate(),
        exit_destination=ExitDestination.NO_LONGER_NEEDED,
        ending_planned=True,
    )
    response = navigator_client.post(send_url(margaret), contact_post())
    assert response.status_code == 409
    assert not Contact.objects.exists()


def test_a_contact_for_someone_of_another_team_is_not_found(navigator_client, other_team):
    stranger = PersonFactory(team=other_team)
    response = navigator_client.post(send_url(stranger), contact_post())
    assert response.status_code == 404
    assert response.json()["status"] == "refused"
    assert not Contact.objects.exists()
    response = navigator_client.post(
        reverse("offline:contact_send", args=[uuid.uuid4()]), contact_post()
    )
    assert response.status_code == 404


def test_a_worker_without_a_caseload_cannot_send_from_the_queue(team_leader_client, margaret):
    response = team_leader_client.post(send_url(margaret), contact_post())
    assert response.status_code == 403
    assert response.json()["status"] == "refused"
    assert not Contact.objects.exists()


def test_a_peer_mentor_sends_for_their_own_people(make_user, margaret, client_for):
    peer = make_user(Role.PEER_MENTOR)
    AllocationFactory(
        episode=margaret.episodes.get(), worker=peer, kind=Allocation.Kind.PEER_MENTOR
    )
    response = client_for(peer).post(send_url(margaret), contact_post())
    assert response.status_code == 201


def test_the_queue_answers_only_posts(navigator_client, margaret):
    assert navigator_client.get(send_url(margaret)).status_code == 405
