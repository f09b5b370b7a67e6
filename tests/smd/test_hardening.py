import time

from django.contrib.sessions.models import Session
from django.urls import reverse

from smd.middleware import LOGIN_AT, SEEN_AT
from tests.factories import PersonFactory


def test_pages_carry_a_policy_with_no_inline_script(navigator_client):
    response = navigator_client.get(reverse("caseload:person_list"))
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_signed_in_pages_are_never_cached(navigator_client, team):
    person = PersonFactory(team=team)
    response = navigator_client.get(person.get_absolute_url())
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def _age(client, **seconds):
    session = client.session
    for key, ago in seconds.items():
        session[key] = time.time() - ago
    session.save()


def test_thirty_minutes_idle_signs_out(navigator_client):
    assert navigator_client.get(reverse("caseload:person_list")).status_code == 200
    _age(navigator_client, **{SEEN_AT: 31 * 60})
    response = navigator_client.get(reverse("caseload:person_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert navigator_client.get(reverse("caseload:person_list")).status_code == 302


def test_twelve_hours_after_sign_in_signs_out_however_busy(navigator_client):
    navigator_client.get(reverse("caseload:person_list"))
    _age(navigator_client, **{LOGIN_AT: 12 * 3600 + 1, SEEN_AT: 10})
    assert navigator_client.get(reverse("caseload:person_list")).status_code == 302


def test_activity_keeps_a_session_alive(navigator_client):
    navigator_client.get(reverse("caseload:person_list"))
    _age(navigator_client, **{SEEN_AT: 29 * 60})
    assert navigator_client.get(reverse("caseload:person_list")).status_code == 200


def test_signing_out_ends_the_session_on_the_server(navigator_client):
    key = navigator_client.session.session_key
    navigator_client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_deactivating_a_user_ends_all_their_sessions_at_once(client_for, navigator, team_leader):
    phone, laptop, colleague = client_for(navigator), client_for(navigator), client_for(team_leader)
    navigator.is_active = False
    navigator.save()
    assert Session.objects.count() == 1  # only the colleague's remains
    for client in (phone, laptop):
        assert client.get(reverse("caseload:person_list")).status_code == 302
    assert colleague.get(reverse("home")).status_code in {200, 302}
