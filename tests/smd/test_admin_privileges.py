"""Access follows role, so who may change roles is guarded: an admin cannot change their own
role or privileges, and giving a person-data role or superuser, setting a password and
resetting two-factor sign-in are written to the audit log and told to the user concerned."""

import pytest
from django import forms
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from smd.audit.models import AuditAction, AuditEvent
from smd.models import Role
from smd.outbox.services import notify_user
from tests.conftest import sign_in
from tests.factories import TeamFactory, UserFactory
from tests.hostile import as_post


@pytest.fixture
def ada(team):
    return UserFactory(
        username="ada",
        first_name="Ada",
        role=Role.ADMIN,
        team=team,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def ada_client(ada):
    return sign_in(Client(), ada)


@pytest.fixture
def nadia(team):
    return UserFactory(username="nadia", first_name="Nadia", role=Role.ADMIN, team=team)


def change_url(user):
    return reverse("admin:smd_user_change", args=[user.pk])


def change_form(client, user, **changes):
    """The admin change form as shown, with `changes` made: what the browser would post."""
    form = client.get(change_url(user)).context["adminform"].form
    data = as_post(form, **changes)
    for name, field in form.fields.items():
        if isinstance(field, forms.SplitDateTimeField):  # two boxes on the page
            value = data.pop(name, None)
            if value:
                data[f"{name}_0"], data[f"{name}_1"] = value.split("T")
    return data


def account_entries(user):
    return list(
        AuditEvent.objects.filter(object_type="smd.user", object_id=str(user.pk)).values_list(
            "action", "description"
        )
    )


def test_an_admin_cannot_change_their_own_role_or_privileges(ada, ada_client):
    elsewhere = TeamFactory(name="Elsewhere")
    page = ada_client.get(change_url(ada))
    form = page.context["adminform"].form
    for field in ("role", "team", "is_superuser", "is_staff", "is_active", "groups"):
        assert field not in form.fields, field
    # A forged post naming them changes nothing of the kind.
    data = change_form(ada_client, ada, first_name="Adeline")
    data.update(role=Role.MANAGER, team=str(elsewhere.pk), is_active="")
    data.pop("is_superuser", None)
    data.pop("is_staff", None)
    response = ada_client.post(change_url(ada), data)
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.first_name == "Adeline"  # their own name is theirs to change
    assert (ada.role, ada.team.name, ada.is_superuser, ada.is_staff, ada.is_active) == (
        Role.ADMIN,
        "Changing Futures Navigators",
        True,
        True,
        True,
    )


def test_giving_a_person_data_role_is_logged_and_told(
    ada_client, nadia, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_client.post(
            change_url(nadia), change_form(ada_client, nadia, role=Role.NAVIGATOR)
        )
    assert response.status_code == 302
    nadia.refresh_from_db()
    assert nadia.role == Role.NAVIGATOR
    assert account_entries(nadia) == [(AuditAction.CHANGE, "Role given: Navigator")]
    (message,) = mail.outbox
    assert message.to == ["nadia@example.org"]
    assert "Role given: Navigator" in message.body and "by Ada" in message.body


def test_giving_superuser_is_logged_and_told(ada_client, nadia, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ada_client.post(
            change_url(nadia),
            change_form(ada_client, nadia, is_superuser="on", is_staff="on"),
        )
    nadia.refresh_from_db()
    assert nadia.is_superuser
    assert account_entries(nadia) == [(AuditAction.CHANGE, "Superuser status given")]
    assert [m.to for m in mail.outbox] == [["nadia@example.org"]]


def test_other_changes_are_neither_logged_as_grants_nor_told(
    ada_client, nadia, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ada_client.post(change_url(nadia), change_form(ada_client, nadia, phone="0161 496 0000"))
    nadia.refresh_from_db()
    assert nadia.phone == "0161 496 0000"
    assert account_entries(nadia) == [] and mail.outbox == []


def test_setting_a_password_is_logged_and_told(
    ada_client, nadia, django_capture_on_commit_callbacks
):
    url = reverse("admin:auth_user_password_change", args=[nadia.pk])
    new = "a-brand-new-password-7"
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_client.post(
            url, {"password1": new, "password2": new, "usable_password": "true"}
        )
    assert response.status_code == 302
    nadia.refresh_from_db()
    assert nadia.check_password(new)
    assert account_entries(nadia) == [(AuditAction.CHANGE, "Password set by an administrator")]
    (message,) = mail.outbox
    assert message.to == ["nadia@example.org"] and new not in message.body


def test_a_refused_password_is_neither_logged_nor_told(
    ada_client, nadia, django_capture_on_commit_callbacks
):
    url = reverse("admin:auth_user_password_change", args=[nadia.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_client.post(
            url, {"password1": "short", "password2": "short", "usable_password": "true"}
        )
    assert response.status_code == 200
    assert account_entries(nadia) == [] and mail.outbox == []


def test_resetting_two_factor_is_logged_and_told(
    ada_client, nadia, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ada_client.post(
            reverse("admin:smd_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [nadia.pk]},
        )
    assert account_entries(nadia) == [(AuditAction.CHANGE, "Two-factor sign-in reset")]
    assert [m.to for m in mail.outbox] == [["nadia@example.org"]]


def test_a_notice_is_sent_only_once_the_change_commits(nadia, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify_user(user=nadia, subject="Changed", body="Your account changed.")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        notify_user(user=nadia, subject="Changed", body="Your account changed.")
    assert [(m.subject, m.to) for m in mail.outbox] == [("Changed", ["nadia@example.org"])]


def test_a_user_without_an_email_address_is_not_sent_anything(
    nadia, django_capture_on_commit_callbacks
):
    nadia.email = ""
    nadia.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify_user(user=nadia, subject="Changed", body="Your account changed.")
    assert mail.outbox == []
