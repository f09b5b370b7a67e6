"""The client's address behind a reverse proxy (ADR 0021): the header is believed only from the
proxies in TRUSTED_PROXIES and read from the right, so a client cannot choose its own
rate-limit or cool-off bucket, and a request without the header is answered, not refused."""

import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client, RequestFactory

from referrals.models import Referral
from smd.client_ip import client_ip
from tests.factories import new_key
from tests.referrals.test_public_form import URL as REFER
from tests.referrals.test_public_form import valid_data  # noqa: F401 - a fixture
from tests.smd.test_lockout import LOGIN, PASSWORD, nadia  # noqa: F401 - a fixture

PROXY = "10.0.0.5"


@pytest.fixture
def behind_a_proxy(settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    return settings


def address(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_without_a_proxy_header_setting_the_address_is_remote_addr(settings):
    settings.CLIENT_IP_META_KEY = None
    assert address("203.0.113.7", forwarded="198.51.100.1") == "203.0.113.7"


def test_the_proxys_entry_names_the_client(behind_a_proxy):
    assert address(PROXY, forwarded="203.0.113.7") == "203.0.113.7"


def test_spoofed_left_most_entries_are_ignored(behind_a_proxy):
    # The client sent "X-Forwarded-For: 198.51.100.1, 192.0.2.2"; the proxy appended the address
    # it saw. Only that last entry was written by someone we trust.
    assert address(PROXY, forwarded="198.51.100.1, 192.0.2.2, 203.0.113.7") == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(behind_a_proxy):
    assert address(PROXY, forwarded="198.51.100.1, 203.0.113.7, 10.0.0.9") == "203.0.113.7"


def test_a_missing_header_falls_back_to_remote_addr(behind_a_proxy):
    assert address(PROXY) == PROXY
    assert address(PROXY, forwarded="") == PROXY
    assert address(PROXY, forwarded="not-an-address") == PROXY


def test_a_client_connecting_directly_cannot_name_its_own_address(behind_a_proxy):
    assert address("203.0.113.7", forwarded="198.51.100.1") == "203.0.113.7"


def test_a_public_post_without_the_header_is_answered_not_refused(
    behind_a_proxy,
    team,
    valid_data,  # noqa: F811
):
    response = Client().post(REFER, valid_data, REMOTE_ADDR=PROXY)
    assert response.status_code == 302
    assert Referral.objects.count() == 1


def test_rotating_the_spoofed_entry_does_not_escape_the_referral_limit(
    behind_a_proxy,
    team,
    valid_data,  # noqa: F811
):
    behind_a_proxy.REFERRAL_RATE_LIMIT = "3/h"
    client = Client()
    for n in range(3):
        forwarded = f"198.51.100.{n}, 203.0.113.7"
        sent = {**valid_data, **new_key()}  # each a referral of its own
        assert client.post(REFER, sent, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    response = client.post(
        REFER,
        {**valid_data, **new_key()},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7",
    )
    assert response.status_code == 429
    assert Referral.objects.count() == 3
    # Another client behind the same proxy has its own limit.
    other = client.post(
        REFER, {**valid_data, **new_key()}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.50"
    )
    assert other.status_code == 302


def test_rotating_the_spoofed_entry_does_not_escape_the_sign_in_pause(
    behind_a_proxy,
    nadia,  # noqa: F811
):
    for n in range(5):
        Client().post(
            LOGIN,
            {"username": "nadia", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",
        )
    paused = Client().post(
        LOGIN,
        {"username": "nadia", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.200, 203.0.113.7",
    )
    assert paused.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def _start(**env):
    """Load the settings in a fresh interpreter, as any start (server, worker, manage.py) does."""
    environ = {k: v for k, v in os.environ.items() if k not in {"TRUSTED_PROXIES"}}
    environ.update(env, DJANGO_SETTINGS_MODULE="smd.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=environ,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=60,
    )


def test_a_header_without_trusted_proxies_refuses_to_start():
    refused = _start(RATELIMIT_IP_META_KEY="HTTP_X_FORWARDED_FOR")
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "TRUSTED_PROXIES" in refused.stderr


def test_a_trusted_proxy_that_is_not_an_address_refuses_to_start():
    refused = _start(RATELIMIT_IP_META_KEY="HTTP_X_FORWARDED_FOR", TRUSTED_PROXIES="10.0.0.x")
    assert refused.returncode != 0 and "'10.0.0.x' is not an IP address" in refused.stderr


def test_a_header_with_trusted_proxies_starts():
    started = _start(RATELIMIT_IP_META_KEY="HTTP_X_FORWARDED_FOR", TRUSTED_PROXIES="10.0.0.0/8")
    assert started.returncode == 0, started.stderr
