"""Safe contact: how a person may be contacted (phone, text, voicemail, letter, visit; a safe
time; a code word; whether the abuser may be present), kept with the version check, shown beside
their contact details and as a badge on My caseload; and nothing in the app is ever sent to a
person's contact details, let alone by a route marked unsafe."""

import ast
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from caseload.forms import PersonForm
from caseload.models import CONTACT_ROUTES, Allocation
from referrals.services import referral_submit
from smd.outbox.services import notify_user
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    current_version,
)
from tests.hostile import as_post

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "smd",
    "caseload",
    "referrals",
    "assessments",
    "sharing",
    "mdt",
    "domestic_abuse",
    "documents",
    "returns",
    "rights",
    "demo",
]
# Every way Django (or anything else) sends a message.
SENDERS = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
}


@pytest.fixture
def person(team, navigator):
    person = PersonFactory(team=team, phone="07700 900123")
    AllocationFactory(
        episode=EpisodeFactory(person=person), worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR
    )
    return person


def _edit(client, person, version, **changes):
    data = as_post(PersonForm(instance=person), **changes, version=version)
    return client.post(reverse("caseload:person_edit", args=[person.pk]), data)


def test_unsafe_routes_are_never_open(person):
    for route in CONTACT_ROUTES:
        assert person.may_contact_by(route)
    person.safe_to_phone = "no"
    person.safe_to_write = "no"
    assert not person.may_contact_by("phone") and not person.may_contact_by("letter")
    assert person.may_contact_by("text") and person.may_contact_by("visit")
    person.phone = ""
    assert not person.may_contact_by("text")
    with pytest.raises(ValueError):
        person.may_contact_by("carrier pigeon")


def test_safety_settings_are_edited_with_the_version_check_and_shown_beside_contact_details(
    client_for, person, navigator, team_leader
):
    opened = current_version(person)
    saved = _edit(
        client_for(team_leader),
        person,
        opened,
        safe_to_phone="no",
        safe_to_write="no",
        safe_to_visit="yes",
        abuser_may_be_present="yes",
        safe_time="Weekdays 10 to 12, at the day centre",
        code_word="Bluebell",
    )
    assert saved.status_code == 302
    person.refresh_from_db()
    assert person.unsafe_routes == ["no calls", "no letters"]
    stale = _edit(client_for(navigator), person, opened, safe_to_phone="yes", code_word="Rose")
    assert stale.status_code == 200 or stale.status_code == 400
    page = stale.content.decode()
    assert "Someone else saved this record" in page and 'value="Rose"' in page
    person.refresh_from_db()
    assert (person.safe_to_phone, person.code_word) == ("no", "Bluebell")
    shown = client_for(navigator).get(person.get_absolute_url()).content.decode()
    assert "Safe contact: no calls, no letters; the abuser may be present" in shown
    assert "Weekdays 10 to 12, at the day centre" in shown and "Bluebell" in shown
    assert 'Safe to write to</dt><dd class="col-sm-7">No' in shown
    caseload = client_for(navigator).get(reverse("caseload:my_caseload")).content.decode()
    assert "Safe contact: no calls, no letters; the abuser may be present" in caseload
    # The code word is said to exist on the caseload, never shown there.
    assert "code word agreed" in caseload and "Bluebell" not in caseload


def _senders():
    """(file, line) of every call that sends a message, in the apps' code."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                    if name in SENDERS:
                        found.append(str(path.relative_to(ROOT)))
    return sorted(found)


def test_the_app_sends_only_to_staff_never_to_a_persons_contact_details():
    """The only sends are the new-referral email to team leaders, an email to one user, and a
    user's notification email and daily summary (to the user's own address): a new place that
    sends must be added here, with a guard for the person's safe routes."""
    assert _senders() == [
        "referrals/tasks.py",
        "smd/notifications/tasks.py",
        "smd/notifications/tasks.py",
        "smd/outbox/tasks.py",
    ]


def test_what_is_sent_goes_to_staff_addresses_and_carries_no_contact_details(
    team, person, team_leader, django_capture_on_commit_callbacks
):
    for field in CONTACT_ROUTES.values():
        setattr(person, field, "no")
    person.save()
    referral = ReferralFactory.build(
        team=team,
        person=person,
        contact_details="07700 900123, only via the refuge",
        referrer_organisation=OrganisationFactory(),
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        referral_submit(referral=referral)
        notify_user(user=team_leader, subject="Your account", body="A change to your account.")
    assert len(mail.outbox) == 2
    staff = {team_leader.email}
    for message in mail.outbox:
        assert set(message.to) <= staff
        assert person.phone not in message.body and "refuge" not in message.body


def test_a_linked_referral_shows_the_badge_beside_its_contact_details(
    client_for, team, person, team_leader
):
    person.safe_to_write = "no"
    person.save()
    referral = ReferralFactory(team=team, person=person, contact_details="Via the refuge")
    page = client_for(team_leader).get(referral.get_absolute_url()).content.decode()
    assert "Via the refuge" in page and "Safe contact: no letters" in page
