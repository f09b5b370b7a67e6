import json
import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from smd.middleware import LOGIN_AT, SEEN_AT
from tests.factories import PersonFactory

ROOT = Path(__file__).resolve().parents[2]


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


def test_passwords_need_twelve_characters_and_must_not_be_common():
    from django.contrib.auth.password_validation import (
        get_default_password_validators,
        validate_password,
    )

    assert [type(v).__name__ for v in get_default_password_validators()] == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("elevenchars")
    for common in ("password1234", "qwertyuiop12"):
        with pytest.raises(ValidationError, match="too common"):
            validate_password(common)
    with pytest.raises(ValidationError):
        validate_password("123456789012345")
    validate_password("tea-at-the-day-centre-on-tuesdays")


def test_production_settings_harden_cookies_and_headers():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ["
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'SECURE_CONTENT_TYPE_NOSNIFF', "
        "'MIDDLEWARE']}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PYTEST_CURRENT_TEST"}}
    env.update(
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="smd.settings",
        SECRET_KEY="k" * 20 + "Zq8!vR2#mW5@tY7$pL1^nB4&xC6*jH9(",
        ALLOWED_HOSTS="smd.example.org",
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout.strip().splitlines()[-1])
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and production["SECURE_SSL_REDIRECT"]
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"]
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"]
    # The second factor is part of the stack in production as everywhere; nothing removes it.
    assert "smd.middleware.SecondFactorRequiredMiddleware" in production["MIDDLEWARE"]
    assert "axes.middleware.AxesMiddleware" in production["MIDDLEWARE"]


def test_pages_say_deny_framing_same_origin_referrers_and_no_sniffing(navigator_client):
    response = navigator_client.get(reverse("caseload:person_list"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_set_up_page_with_its_secret_is_never_cached(client, navigator):
    client.force_login(navigator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("two_factor:setup"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_no_names_reach_the_logs(navigator_client, team, caplog):
    person = PersonFactory(team=team, first_name="Bernadette", last_name="Quigley")
    with caplog.at_level(logging.DEBUG):
        navigator_client.post(reverse("caseload:person_list"), {"q": "Quigley"})
        navigator_client.get(reverse("caseload:person_detail", args=[uuid.uuid4()]))
        navigator_client.get(person.get_absolute_url())
        Client().post(reverse("login"), {"username": "bernadette.q", "password": "wrong"})
    assert "Quigley" not in caplog.text and "Bernadette" not in caplog.text
    assert "bernadette.q" not in caplog.text
