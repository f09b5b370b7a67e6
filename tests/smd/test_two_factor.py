"""Signing in takes a password and a code (ADR 0014): setting up the app on first sign-in,
codes from the app, one-time backup codes, the throttle on wrong codes and an admin's reset."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from smd.models import Role
from smd.two_factor import services
from tests.conftest import app_code, app_device, password_confirmed, sign_in
from tests.factories import UserFactory

PASSWORD = "a-long-test-password"
HOME = reverse("home")
PEOPLE = reverse("caseload:person_list")
VERIFY = reverse("two_factor:verify")
SETUP = reverse("two_factor:setup")
BACKUP_CODES = reverse("two_factor:backup_codes")


@pytest.fixture
def nadia(team):
    return UserFactory(username="nadia", role=Role.NAVIGATOR, team=team)


def password_step(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def setup_code(device):
    """What the app shows now for a device still being set up."""
    t = int((time.time() - device.t0) // device.step)
    return f"{hotp(device.bin_key, t, digits=device.digits):06d}"


def test_a_password_alone_goes_on_to_the_code_step_and_opens_nothing(client, nadia):
    app_device(nadia)
    response = password_step(client, "nadia")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"
    for url in (HOME, PEOPLE, reverse("referrals:new"), BACKUP_CODES):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url


def test_the_code_step_asks_for_the_app_code_and_hides_the_navigation(client, nadia):
    app_device(nadia)
    password_step(client, "nadia")
    page = client.get(VERIFY).content.decode()
    assert "Enter your code" in page and 'autocomplete="one-time-code"' in page
    assert PEOPLE not in page  # no links to pages that would only send them back here
    assert 'action="/accounts/logout/"' in page


def test_signing_in_with_the_app_code(client, nadia):
    app_device(nadia)
    password_step(client, "nadia")
    response = client.post(VERIFY, {"code": app_code(nadia), "next": PEOPLE})
    assert response.status_code == 302 and response["Location"] == PEOPLE
    assert client.get(PEOPLE).status_code == 200


def test_the_session_gets_a_new_key_when_the_code_is_accepted(client, nadia):
    app_device(nadia)
    password_step(client, "nadia")
    before = client.session.session_key
    client.post(VERIFY, {"code": app_code(nadia), "next": PEOPLE})
    after = client.session.session_key
    assert after != before
    # The key known before the code step opens nothing now.
    stale = Client()
    stale.cookies["sessionid"] = before
    assert stale.get(PEOPLE)["Location"].startswith(reverse("login"))
    assert client.get(PEOPLE).status_code == 200


def test_the_session_gets_a_new_key_when_the_app_is_set_up(client, nadia):
    password_step(client, "nadia")
    client.get(SETUP)
    before = client.session.session_key
    client.post(SETUP, {"code": setup_code(TOTPDevice.objects.get(user=nadia))})
    assert client.session.session_key != before
    assert client.get(PEOPLE).status_code == 200


def test_the_code_step_never_sends_anyone_off_the_site(client, nadia):
    app_device(nadia)
    password_step(client, "nadia")
    response = client.post(VERIFY, {"code": app_code(nadia), "next": "https://evil.example/"})
    assert response["Location"] == HOME


def test_a_wrong_code_is_refused_with_a_reason(client, nadia):
    device = app_device(nadia)
    password_step(client, "nadia")
    right = app_code(nadia)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert "Error:" in response.content.decode()  # the page title says so
    assert client.get(HOME).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_wrong_codes_are_throttled_so_codes_cannot_be_guessed(client, nadia):
    app_device(nadia)
    password_step(client, "nadia")
    client.post(VERIFY, {"code": "000000"})
    client.post(VERIFY, {"code": "000001"})
    # Straight after two failures even the right code must wait.
    response = client.post(VERIFY, {"code": app_code(nadia)})
    assert "Too many wrong codes. Wait" in response.content.decode()
    assert client.get(HOME).status_code == 302


def test_an_app_code_works_only_once(nadia):
    app_device(nadia)
    first = Client()
    password_step(first, "nadia")
    code = app_code(nadia)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    second = Client()
    password_step(second, "nadia")
    response = second.post(VERIFY, {"code": code})
    assert "That code is not right" in response.content.decode()


def test_a_new_sign_in_asks_for_the_code_again(nadia):
    client = sign_in(Client(), nadia)
    assert client.get(HOME).status_code in {200, 302}
    assert client.get(PEOPLE).status_code == 200
    password_step(client, "nadia")
    response = client.get(PEOPLE)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


# --- Setting up on first sign-in ---------------------------------------------------------------


def test_first_sign_in_sets_up_the_app_then_shows_backup_codes_once(client, nadia):
    response = password_step(client, "nadia")
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    page = client.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=nadia)
    assert not device.confirmed
    # The QR code is drawn in the page (no image from elsewhere), and the key can be typed.
    assert "<svg" in page and "<script" not in page.split("<main")[1].split("</main>")[0]
    assert services.secret_text(device) in page
    # Until it is confirmed, the app is no second factor.
    assert client.get(HOME).status_code == 302

    response = client.post(SETUP, {"code": setup_code(device), "next": PEOPLE})
    assert response.status_code == 302 and response["Location"].startswith(BACKUP_CODES)
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert f'href="{PEOPLE}"' in page  # then on to where they were going
    # Shown once: the page now only says how many are left.
    again = client.get(BACKUP_CODES).content.decode()
    assert not any(code in again for code in codes) and "<strong>10</strong>" in again
    assert client.get(PEOPLE).status_code == 200


def test_reloading_the_set_up_page_keeps_the_same_key(client, nadia):
    password_step(client, "nadia")
    first = client.get(SETUP).context["secret"]
    assert client.get(SETUP).context["secret"] == first
    assert TOTPDevice.objects.filter(user=nadia).count() == 1


def test_a_wrong_code_does_not_set_up_the_app(client, nadia):
    password_step(client, "nadia")
    client.get(SETUP)
    response = client.post(SETUP, {"code": "12345"})
    assert "Enter the 6-digit code" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=nadia, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=nadia).exists()
    assert client.get(HOME).status_code == 302


def test_a_password_alone_cannot_replace_the_app(client, nadia):
    device = app_device(nadia)
    password_step(client, "nadia")
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=nadia)) == [device]


# --- Backup codes --------------------------------------------------------------------------------


def test_a_backup_code_signs_in_once(nadia):
    app_device(nadia)
    code = services.backup_codes_replace(user=nadia)[0]
    client = Client()
    password_step(client, "nadia")
    response = client.post(VERIFY, {"code": code.upper().replace("-", " ")}, follow=True)
    assert response.redirect_chain[0][0] == HOME
    assert "You used a backup code. You have 9 left." in response.content.decode()
    assert StaticToken.objects.filter(device__user=nadia).count() == 9

    again = Client()
    password_step(again, "nadia")
    response = again.post(VERIFY, {"code": code})
    assert "That code is not right" in response.content.decode()
    assert again.get(HOME).status_code == 302


def test_new_backup_codes_replace_the_old_ones(nadia):
    old = services.backup_codes_replace(user=nadia)
    client = password_confirmed(sign_in(Client(), nadia))
    response = client.post(BACKUP_CODES, follow=True)
    new = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=nadia).count() == 10


# --- An admin's reset ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(team):
    admin = UserFactory(role=Role.ADMIN, team=team, is_staff=True, is_superuser=True)
    return sign_in(Client(), admin)


def test_an_admin_resets_a_users_second_factor(admin_client, nadia):
    services.backup_codes_replace(user=nadia)
    nadias_phone = sign_in(Client(), nadia)
    assert nadias_phone.get(PEOPLE).status_code == 200

    response = admin_client.post(
        reverse("admin:smd_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [nadia.pk]},
        follow=True,
    )
    assert "Two-factor sign-in reset for 1 user." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=nadia).exists()
    assert not StaticDevice.objects.filter(user=nadia).exists()
    # Signed out everywhere at once...
    assert nadias_phone.get(PEOPLE)["Location"].startswith(reverse("login"))
    assert all(s.get_decoded().get("_auth_user_id") != str(nadia.pk) for s in Session.objects.all())
    # ...and the next sign-in sets up a new app.
    client = Client()
    client.get(password_step(client, "nadia")["Location"])
    assert client.get(VERIFY)["Location"].startswith(SETUP)


def test_the_user_list_shows_who_has_set_up_two_factor(admin_client, nadia, team):
    app_device(nadia)
    UserFactory(username="newstarter", team=team)
    response = admin_client.get(reverse("admin:smd_user_changelist"))
    assert response.status_code == 200
    assert {u.username: u.has_app for u in response.context["cl"].result_list}["nadia"] is True
    assert not {u.username: u.has_app for u in response.context["cl"].result_list}["newstarter"]


def test_no_admin_page_shows_anyone_their_second_factor_secret():
    from django.contrib import admin

    assert TOTPDevice not in admin.site._registry and StaticDevice not in admin.site._registry


def test_the_admin_sign_in_page_is_the_apps_own(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/admin/"


# --- The demo --------------------------------------------------------------------------------


def test_a_demo_user_signs_in_with_the_code_from_the_readme_command(db, settings):
    import io
    import subprocess
    import sys
    from pathlib import Path

    from django.core.management import call_command

    from demo.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    secret = DEMO_TOTP_SECRETS["navigator"]
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    command = re.search(r'\.venv/bin/python -c "([^"]+)" ' + secret, readme).group(1)
    code = subprocess.run(
        [sys.executable, "-c", command, secret], capture_output=True, text=True, check=True
    ).stdout.strip()
    client = Client()
    password_step(client, "navigator", DEMO_PASSWORD)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 302 and client.get(PEOPLE).status_code == 200
