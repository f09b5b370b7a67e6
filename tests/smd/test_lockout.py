"""Repeated failed sign-ins pause signing in for that username from that address (django-axes,
ADR 0014), with one page that says nothing about whether the account exists."""

import logging
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smd.models import Role
from tests.conftest import app_device
from tests.factories import UserFactory

PASSWORD = "a-long-test-password"
LOGIN = reverse("login")


@pytest.fixture
def nadia(team):
    user = UserFactory(username="nadia", role=Role.NAVIGATOR, team=team)
    app_device(user)
    return user


def attempt(client, username, password="not-the-password", address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(username, times, client=None, address="203.0.113.7"):
    client = client or Client()
    return [attempt(client, username, address=address) for _ in range(times)]


def _page(response):
    """The page without its per-request CSRF tokens."""
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


def test_four_failures_are_only_failures(nadia):
    responses = fail("nadia", 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert "Please enter a correct username and password" in responses[-1].content.decode()
    assert attempt(Client(), "nadia", PASSWORD).status_code == 302


def test_the_fifth_failure_pauses_signing_in_even_with_the_right_password(nadia):
    responses = fail("nadia", 5)
    assert responses[-1].status_code == 429
    assert "Signing in is paused" in responses[-1].content.decode()
    right = attempt(Client(), "nadia", PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in Client().session


def test_the_lock_out_page_is_the_same_for_an_unknown_username(nadia):
    known, unknown = fail("nadia", 6), fail("nobody-by-this-name", 6)
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    for k, u in zip(known, unknown, strict=True):
        assert _page(k).replace("nadia", "X") == _page(u).replace("nobody-by-this-name", "X")
    # Nor does the page repeat what was typed.
    assert "nadia" not in _page(known[-1]) and "nobody-by-this-name" not in _page(unknown[-1])


def test_a_failure_says_the_same_whether_or_not_the_account_exists(nadia):
    known = attempt(Client(), "nadia").content.decode()
    unknown = attempt(Client(), "nobody-by-this-name").content.decode()
    message = "Please enter a correct username and password"
    assert message in known and message in unknown


def test_the_pause_is_for_that_username_from_that_address(nadia, team):
    UserFactory(username="tara", role=Role.TEAM_LEADER, team=team)
    fail("nadia", 5)
    # Someone else in the same office can still sign in; so can Nadia from elsewhere.
    assert attempt(Client(), "tara", PASSWORD).status_code == 302
    assert attempt(Client(), "nadia", PASSWORD, address="198.51.100.2").status_code == 302


def test_the_pause_ends_after_the_cool_off(nadia, settings):
    fail("nadia", 5)
    assert attempt(Client(), "nadia", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert attempt(Client(), "nadia", PASSWORD).status_code == 302


def test_the_cool_off_is_fifteen_minutes_after_five_failures(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_a_success_clears_the_count(nadia):
    fail("nadia", 4)
    assert attempt(Client(), "nadia", PASSWORD).status_code == 302
    assert [r.status_code for r in fail("nadia", 4)] == [200] * 4


def test_failed_sign_ins_log_no_username_or_address(nadia, caplog):
    with caplog.at_level(logging.DEBUG):
        fail("nadia", 6)
        fail("nobody-by-this-name", 2)
    assert caplog.records  # django-axes does log the failures...
    assert "nadia" not in caplog.text and "nobody-by-this-name" not in caplog.text
    assert "203.0.113.7" not in caplog.text  # ...but not who or from where


def test_behind_a_proxy_the_address_comes_from_the_proxys_header(nadia, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    client = Client()
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "nadia", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_REAL_IP="203.0.113.9",
        )
    # The proxy's own address is shared by everyone: it is not the one paused.
    other = Client().post(
        LOGIN,
        {"username": "nadia", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_REAL_IP="198.51.100.4",
    )
    assert other.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
