"""seed_demo: the demo's people, staff and agreements, the same however often it runs, only
with DEBUG on, and with the app keys the README gives."""

import io
from base64 import b32decode
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken
from appointments.models import Appointment, AppointmentStatus
from appointments.selectors import my_week
from caseload.models import Person
from demo.management.commands.seed_demo import DEMO_API_KEY, DEMO_TOTP_SECRETS
from importer.models import ImportRun
from mdt.models import AgendaItem
from referrals.models import Referral
from returns.extract.models import EvaluationExtract
from sharing.models import DataSharingAgreement, SharingAgreement
from smd.models import Role, User
from smd.notifications.models import Notification
from smd.outbox.models import OutboxMessage


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


def test_seed_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Person.objects.count(), Referral.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Person.objects.count(), Referral.objects.count()) == counts
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)


def test_seed_demo_partner_sees_peggy_under_her_agreement(db, settings, shipped_schemes):
    """The demo's partner sees Peggy's cases because she agreed to share with probation and an
    MDT data-sharing agreement is in force; the register shows each status once."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    partner = User.objects.get(username="partner")
    seen = AgendaItem.objects.visible_to(partner)
    assert seen.count() == 2
    assert {i.person.known_as for i in seen} == {"Peggy"}
    statuses = sorted(a.status() for a in DataSharingAgreement.objects.all())
    assert statuses == ["ended", "in_force", "review_overdue"]
    assert SharingAgreement.objects.filter(withdrawn_at__isnull=False).count() == 1


def test_demo_users_have_the_app_keys_the_readme_gives(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert set(DEMO_TOTP_SECRETS) == set(User.objects.values_list("username", flat=True))
    for username, secret in DEMO_TOTP_SECRETS.items():
        device = TOTPDevice.objects.get(user__username=username)  # one, however often seeded
        assert device.confirmed and device.bin_key == b32decode(secret)
        assert f"| `{username}` |" in readme and f"`{secret}`" in readme


def test_seed_demo_brings_in_the_example_import_once(db, settings, shipped_schemes):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    run = ImportRun.objects.get()
    assert (run.status, run.source, run.problem_count) == ("imported", "Previous CRM", 0)
    assert Person.objects.filter(imported_records__source="Previous CRM").distinct().count() == 2


def test_seed_demo_builds_last_quarters_evaluation_extract(
    db, settings, shipped_schemes, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    extract = EvaluationExtract.objects.get()  # one, however often seeded
    assert extract.status == "done" and extract.rows > 0
    assert extract.requested_by.username == "manager"


def test_seed_demo_gives_the_demo_users_notifications(db, settings, shipped_schemes):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    told = set(Notification.objects.values_list("user__username", "kind"))
    assert ("navigator", "security_new_device") in told
    assert ("teamleader", "referral_waiting") in told
    assert ("partner", "mdt_action_assigned") in told
    assert ("teamleader", "marac_action_assigned") in told
    assert ("navigator", "marac_action_overdue") in told
    assert ("navigator", "appointment_reminder") in told
    count = Notification.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Notification.objects.count() == count
    assert not OutboxMessage.objects.filter(task__startswith="smd.notifications.").exists()


def test_seed_demo_books_appointments_for_my_caseload(db, settings, shipped_schemes):
    """The navigator opens My caseload to appointments this week, and the demo holds one of each
    outcome (each attended one with its contact); a second run books nothing more."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    count = Appointment.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Appointment.objects.count() == count
    navigator = User.objects.get(username="navigator")
    week = my_week(navigator)
    assert week.today or week.later
    assert set(Appointment.objects.values_list("status", flat=True)) == set(
        AppointmentStatus.values
    )
    attended = Appointment.objects.filter(status=AppointmentStatus.ATTENDED)
    assert attended.exists() and not attended.filter(contact__isnull=True).exists()


def test_seed_demo_shows_domestic_abuse_risk_marac_and_safe_contact(db, settings):
    """Peggy is at high risk by the shipped fictional DASH wording, her MARAC referral was heard,
    its actions are on Nadia's caseload, and how to contact her safely is recorded."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    peggy = Person.objects.get(known_as="Peggy")
    (checklist,) = peggy.dash_checklists.all()
    assert checklist.risk_level == "high" and checklist.definition.acknowledgement.startswith(
        "FICTIONAL"
    )
    (referral,) = peggy.marac_referrals.all()
    assert referral.heard_on is not None
    nadia = User.objects.get(username="navigator")
    assert referral.actions.filter(owner=nadia, done_at__isnull=True).count() == 2
    assert peggy.unsafe_routes == ["no texts", "no voicemail", "no letters", "no home visits"]


def test_the_demo_insight_hub_reads_pseudonyms_with_the_key_the_docs_give(
    db, settings, shipped_schemes, client
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    assert DEMO_API_KEY in docs
    assert ApiToken.objects.count() == 1
    answer = client.get("/api/v1/people/", HTTP_AUTHORIZATION=f"Bearer {DEMO_API_KEY}")
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert rows and all(row["person"].startswith("PS-") for row in rows)
    assert "first_name" not in rows[0]
