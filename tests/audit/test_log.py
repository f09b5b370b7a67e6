"""The audit log is append-only: written through audit_record, never changed or deleted."""

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from smd.audit.models import AuditEvent, AuditLogIsAppendOnly
from smd.audit.services import AuditAction, audit_record
from tests.factories import ContactFactory, PersonFactory


@pytest.fixture
def entry(navigator):
    return audit_record(user=navigator, action=AuditAction.VIEW, person=uuid.uuid4())


def test_it_records_who_what_whose_and_from_where(navigator):
    person = PersonFactory(team=navigator.team)
    contact = ContactFactory(person=person)
    request = RequestFactory().get(
        "/people/x/?q=secret", HTTP_USER_AGENT="Firefox", REMOTE_ADDR="10.0.0.7"
    )

    event = audit_record(
        user=navigator,
        action=AuditAction.CHANGE,
        person=person,
        obj=contact,
        request=request,
        description="Contact edited",
    )

    event.refresh_from_db()
    assert event.user == navigator
    assert event.username == navigator.username
    assert event.action == AuditAction.CHANGE
    assert event.person_id == person.pk
    assert (event.object_type, event.object_id) == ("caseload.contact", str(contact.pk))
    assert event.path == "/people/x/"  # never the query string
    assert (event.method, event.ip_address, event.user_agent) == ("GET", "10.0.0.7", "Firefox")
    assert event.description == "Contact edited"


def test_it_keeps_the_person_as_a_plain_id_that_outlives_them(navigator):
    person = PersonFactory(team=navigator.team)
    event = audit_record(user=navigator, action=AuditAction.VIEW, person=person)
    person_pk = person.pk

    person.delete()

    event.refresh_from_db()
    assert event.person_id == person_pk


def test_it_records_anonymous_requests_without_a_user(db):
    event = audit_record(user=None, action=AuditAction.DENIED, person=uuid.uuid4())
    assert event.user is None and event.username == ""


def test_an_entry_cannot_be_saved_again(entry):
    entry.description = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    assert AuditEvent.objects.filter(pk=entry.pk).exists()


def test_the_queryset_refuses_update_and_delete(entry):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=entry.pk).update(description="tampered")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        AuditEvent.objects.bulk_update([entry], ["description"])
    entry.refresh_from_db()
    assert entry.description == ""


def test_the_admin_does_not_offer_the_log():
    # Admins see no person data (least privilege), and the admin would offer edit and
    # delete: the log is read only through the IG pages.
    assert AuditEvent not in admin.site._registry


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET description = 'tampered'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
    ],
)
def test_the_database_refuses_to_change_entries(entry, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Fire the deferred foreign-key checks of the insert first, as a commit would:
        # PostgreSQL refuses TRUNCATE with them pending, for its own reasons.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql)
    assert AuditEvent.objects.filter(pk=entry.pk, description="").exists()


@pytest.mark.postgres
def test_the_database_allows_a_declared_purge_but_never_an_update(entry):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL smd.audit_maintenance = 'on'")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("UPDATE audit_auditevent SET description = 'tampered'")
        cursor.execute("DELETE FROM audit_auditevent")
    assert not AuditEvent.objects.exists()


def test_purge_deletes_only_entries_past_retention(navigator):
    old = AuditEvent(
        user=navigator, action=AuditAction.VIEW, at=timezone.now() - timedelta(days=3000)
    )
    old.save()
    recent = audit_record(user=navigator, action=AuditAction.VIEW)

    call_command("audit_purge", stdout=StringIO())

    assert list(AuditEvent.objects.all()) == [recent]


def test_purge_refuses_a_short_retention(db):
    with pytest.raises(CommandError):
        call_command("audit_purge", "--days", "30")
