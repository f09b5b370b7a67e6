"""seed_demo: the demo's people, staff and agreements, the same however often it runs, only
with DEBUG on, and with the app keys the README gives."""

import io
from base64 import b32decode
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.models import Person
from demo.management.commands.seed_demo import DEMO_TOTP_SECRETS
from importer.models import ImportRun
from mdt.models import AgendaItem
from referrals.models import Referral
from returns.extract.models import EvaluationExtract
from sharing.models import DataSharingAgreement, SharingAgreement
from smd.models import Role, User


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
