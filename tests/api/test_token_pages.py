"""The manager's pages: making a token (its key shown once), listing and revoking them."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, key_digest
from api.services import api_token_create
from smd.audit.models import AuditEvent
from smd.models import Role
from tests.api.conftest import bearer
from tests.conftest import sign_in
from tests.factories import TeamFactory, UserFactory, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(team):
    return UserFactory(role=Role.MANAGER, team=team, first_name="Mina")


@pytest.fixture
def manager_client(client_for, manager):
    return client_for(manager)


def form_data(**changes):
    data = {
        "system": "Insight hub",
        "purpose": "outcomes-dashboard",
        "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
        **new_key(),
    }
    return {**data, **changes}


def make(team, manager, **kwargs):
    kwargs.setdefault("expires_on", timezone.localdate() + timedelta(days=30))
    return api_token_create(
        team=team, by=manager, system=kwargs.pop("system", "Hub"), purpose="hub", **kwargs
    )


def test_a_manager_makes_a_token_and_sees_its_key_once(manager_client, team, client):
    response = manager_client.post(reverse("api:token_new"), form_data())
    assert response.status_code == 200
    key = response.context["key"]
    assert key.startswith("smd_") and key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.team, token.system, token.identifiable) == (team, "Insight hub", False)
    assert token.key_hash == key_digest(key)
    # The key works, and is in no page afterwards.
    assert client.get(reverse("api:people"), **bearer(key)).status_code == 200
    listing = manager_client.get(reverse("api:tokens")).content.decode()
    assert key not in listing and token.key_prefix in listing
    assert AuditEvent.objects.filter(description="API token made", action="create").exists()


def test_the_same_form_sent_twice_makes_one_token_and_shows_no_key_again(manager_client):
    data = form_data()
    first = manager_client.post(reverse("api:token_new"), data)
    again = manager_client.post(reverse("api:token_new"), data, follow=True)
    assert ApiToken.objects.count() == 1
    assert first.context["key"] not in again.content.decode()
    assert "already made, and its key shown once" in again.content.decode()


def test_identifiable_data_needs_a_lawful_basis(manager_client):
    response = manager_client.post(
        reverse("api:token_new"), form_data(identifiable="on", system="Case audit")
    )
    assert response.status_code == 400
    assert "lawful basis recorded" in response.content.decode()
    assert 'value="Case audit"' in response.content.decode()
    assert "<title>Error: " in response.content.decode()
    assert not ApiToken.objects.exists()
    basis = "Article 6(1)(e), 9(2)(h); DSA 2025"
    response = manager_client.post(
        reverse("api:token_new"), form_data(identifiable="on", lawful_basis=basis)
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().lawful_basis == basis


def test_notes_go_only_with_identifiable_data(manager_client):
    response = manager_client.post(reverse("api:token_new"), form_data(include_notes="on"))
    assert response.status_code == 400
    assert "only with identifiable data" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(("days", "says"), [(-1, "today or later"), (400, "a year at most")])
def test_a_token_expires_within_a_year(manager_client, days, says):
    day = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = manager_client.post(reverse("api:token_new"), form_data(expires_on=day))
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_is_a_post_and_stops_the_token(manager_client, manager, team, client):
    token, key = make(team, manager)
    url = reverse("api:token_revoke", args=[token.pk])
    assert manager_client.get(url).status_code == 405
    response = manager_client.post(url, follow=True)
    assert "was revoked" in response.content.decode()
    token.refresh_from_db()
    assert (token.status, token.revoked_by) == ("revoked", manager)
    assert client.get(reverse("api:people"), **bearer(key)).status_code == 401
    # Revoking again changes nothing.
    revoked_at = token.revoked_at
    manager_client.post(url)
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert AuditEvent.objects.filter(description="API token revoked").count() == 2


def test_another_teams_manager_neither_sees_nor_revokes_the_token(client_for, manager, team):
    token, _ = make(team, manager, system="Riverside hub")
    elsewhere = UserFactory(role=Role.MANAGER, team=TeamFactory(name="Elsewhere"))
    client = client_for(elsewhere)
    assert "Riverside hub" not in client.get(reverse("api:tokens")).content.decode()
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_list_says_what_each_token_may_see(manager_client, manager, team):
    make(team, manager, system="Pseudonymous hub")
    make(team, manager, system="Audit tool", identifiable=True, lawful_basis="Art 6(1)(e)")
    old, _ = make(team, manager, system="Old hub")
    old.expires_on = timezone.localdate() - timedelta(days=1)
    old.save()
    page = manager_client.get(reverse("api:tokens")).content.decode()
    assert "Pseudonymised" in page and "Lawful basis: Art 6(1)(e)" in page
    assert "Expired" in page
    assert page.count("Revoke<span") == 2  # an expired token has nothing to revoke


def test_the_tokens_page_is_in_the_managers_menu(manager_client):
    page = manager_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("api:tokens")}"' in page


def test_the_tokens_page_costs_the_same_however_many_tokens(
    manager_client, manager, team, count_queries
):
    make(team, manager)
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the team (named in the
    # text), 5 the tokens with who made them, 6 the top bar's count of unread notifications.
    assert count_queries.page(manager_client, reverse("api:tokens")) == 6
    for n in range(6):
        make(team, manager, system=f"Hub {n}")
    assert count_queries.page(manager_client, reverse("api:tokens")) == 6


def test_the_new_token_form_costs_six_queries(manager_client, count_queries):
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the team (named in the
    # text), 5 the audit entry (making tokens is audited, so opening the form is too), 6 the top
    # bar's count of unread notifications.
    assert count_queries.page(manager_client, reverse("api:token_new")) == 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_the_same_moment_makes_one_token(manager):
    """A double click on a slow connection: the unique key lets one token through; the other
    request finds it and, with no key to show, sends the manager to the list."""
    data = form_data()
    barrier = threading.Barrier(2)
    answers = []

    def post():
        try:
            client = sign_in(Client(), manager)
            barrier.wait()
            answers.append(client.post(reverse("api:token_new"), data))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200, 302]
    assert ApiToken.objects.count() == 1
