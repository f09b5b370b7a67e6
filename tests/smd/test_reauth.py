"""The password again before a subject access export, an erasure and new backup codes, and
changing one's own password (smd.reauth)."""

import time
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from caseload.models import Person
from smd.audit.models import AuditEvent
from smd.models import Role
from smd.reauth import CONFIRMED_AT
from smd.two_factor import services as two_factor_services
from tests.conftest import sign_in
from tests.factories import PersonFactory, UserFactory

PASSWORD = "a-long-test-password"  # tests.factories.UserFactory's
CONFIRM = reverse("password_confirm")
CHANGE = reverse("password_change")
BACKUP_CODES = reverse("two_factor:backup_codes")
RETENTION = reverse("rights:retention")
ERASE = reverse("rights:retention_erase")


@pytest.fixture
def maria(team):
    return UserFactory(username="maria", first_name="Maria", role=Role.MANAGER, team=team)


@pytest.fixture
def maria_client(maria):
    return sign_in(Client(), maria)


def asks_for_the_password(response, then):
    return response.status_code == 302 and response["Location"] == (
        f"{CONFIRM}?{urlencode({'next': then})}"
    )


def asks_for_it_on_the_spot(response, carries=()):
    """A POST made without the password is not turned away: the password is asked for on a
    page that sends on everything the POST carried."""
    page = response.content.decode()
    return (
        response.status_code in {200, 400}
        and 'name="password_again-password"' in page
        and all(f'name="{name}" value="{value}"' in page for name, value in carries)
    )


def confirm(client, password=PASSWORD, next_url="/"):
    return client.post(CONFIRM, {"password": password, "next": next_url})


def test_an_export_asks_for_the_password_then_goes_ahead(maria_client, team):
    person = PersonFactory(team=team)
    url = reverse("rights:export", args=[person.pk])
    assert asks_for_the_password(maria_client.get(url), then=url)
    assert asks_for_it_on_the_spot(
        maria_client.post(url, {"format": "json"}), carries=[("format", "json")]
    )
    # Nothing was shown or made: the access log says nothing of the person yet.
    assert not AuditEvent.objects.filter(person_id=person.pk).exists()

    page = maria_client.get(f"{CONFIRM}?{urlencode({'next': url})}")
    assert page.status_code == 200 and "You won't be asked again for 10 minutes" in (
        page.content.decode()
    )
    assert confirm(maria_client, next_url=url)["Location"] == url
    response = maria_client.post(url, {"format": "json"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_who_may_not_export_is_told_so_before_any_password(client_for, navigator, team):
    person = PersonFactory(team=team)
    response = client_for(navigator).get(reverse("rights:export", args=[person.pk]))
    assert response.status_code == 403


def test_an_erasure_asks_for_the_password(maria_client):
    assert asks_for_the_password(maria_client.get(RETENTION), then=RETENTION)
    count = Person.objects.count()
    sent = {"reason": "Retention period passed.", "confirm": "on"}
    response = maria_client.post(ERASE, sent)
    assert asks_for_it_on_the_spot(response, carries=sent.items())
    assert Person.objects.count() == count
    assert CONFIRMED_AT not in maria_client.session
    confirm(maria_client)
    assert maria_client.get(RETENTION).status_code == 200


def test_the_reason_typed_for_an_erasure_outlives_the_password_running_out(maria_client, settings):
    """The reason typed on the erasure page is sent on with the password, not lost to it."""
    confirm(maria_client)
    session = maria_client.session
    session[CONFIRMED_AT] = time.time() - settings.PASSWORD_CONFIRM_SECONDS - 1
    session.save()
    sent = {"reason": "Six years since support ended.", "confirm": "on"}
    assert asks_for_it_on_the_spot(maria_client.post(ERASE, sent), carries=sent.items())
    wrong = maria_client.post(ERASE, {**sent, "password_again-password": "not-it"})
    assert wrong.status_code == 400 and "That is not your password" in wrong.content.decode()
    assert asks_for_it_on_the_spot(wrong, carries=sent.items())
    done = maria_client.post(ERASE, {**sent, "password_again-password": PASSWORD})
    assert 'name="password_again-password"' not in done.content.decode()
    assert CONFIRMED_AT in maria_client.session


def test_an_export_asked_for_after_the_password_ran_out_is_sent_on_with_it(maria_client, team):
    url = reverse("rights:export", args=[PersonFactory(team=team).pk])
    page = maria_client.post(url, {"format": "json"})
    assert asks_for_it_on_the_spot(page, carries=[("format", "json")])
    response = maria_client.post(url, {"format": "json", "password_again-password": PASSWORD})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_new_backup_codes_ask_for_the_password(navigator, client_for):
    old = set(two_factor_services.backup_codes_replace(user=navigator))
    client = client_for(navigator)
    assert client.get(BACKUP_CODES).status_code == 200  # how many are left: no password
    assert asks_for_it_on_the_spot(client.post(BACKUP_CODES))
    tokens = {t[:4] + "-" + t[4:] for t in StaticToken.objects.values_list("token", flat=True)}
    assert tokens == old
    confirm(client)
    response = client.post(BACKUP_CODES, follow=True)
    assert "These codes are shown only now" in response.content.decode()
    assert not old & {
        t[:4] + "-" + t[4:] for t in StaticToken.objects.values_list("token", flat=True)
    }


def test_a_wrong_password_is_refused_and_counted_towards_the_pause(maria_client):
    response = confirm(maria_client, password="not-my-password")
    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()
    assert CONFIRMED_AT not in maria_client.session
    assert AccessAttempt.objects.get().failures_since_start == 1
    assert asks_for_the_password(maria_client.get(RETENTION), then=RETENTION)


def test_the_confirmation_lasts_only_a_few_minutes(maria_client, settings):
    confirm(maria_client)
    assert maria_client.get(RETENTION).status_code == 200
    session = maria_client.session
    session[CONFIRMED_AT] = time.time() - settings.PASSWORD_CONFIRM_SECONDS - 1
    session.save()
    assert asks_for_the_password(maria_client.get(RETENTION), then=RETENTION)


def test_the_confirmation_never_sends_anyone_off_the_site(maria_client):
    assert confirm(maria_client, next_url="https://evil.example/")["Location"] == reverse("home")


def test_the_account_page_links_to_changing_the_password(maria_client):
    assert f'href="{CHANGE}"' in maria_client.get(reverse("profile")).content.decode()


def test_changing_the_password_needs_the_current_one(maria_client, maria):
    response = maria_client.post(
        CHANGE,
        {
            "old_password": "not-my-password",
            "new_password1": "a-brand-new-password-7",
            "new_password2": "a-brand-new-password-7",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "That is not your password" in page and "<title>Error:" in page
    maria.refresh_from_db()
    assert maria.check_password(PASSWORD)


def test_a_user_changes_their_password_and_is_signed_out_elsewhere(
    maria_client, maria, django_capture_on_commit_callbacks
):
    elsewhere = sign_in(Client(), maria)
    new = "a-brand-new-password-7"
    with django_capture_on_commit_callbacks(execute=True):
        response = maria_client.post(
            CHANGE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    maria.refresh_from_db()
    assert maria.check_password(new)
    assert maria_client.get(reverse("profile")).status_code == 200  # this session goes on
    assert elsewhere.get(reverse("profile"))["Location"].startswith(reverse("login"))
    entry = AuditEvent.objects.get(object_type="smd.user", object_id=str(maria.pk))
    assert entry.description == "Password changed" and entry.user == maria
    (message,) = mail.outbox
    assert message.to == ["maria@example.org"] and "by you" in message.body
