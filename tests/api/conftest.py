"""A team with one person recorded everywhere the API reads, and tokens of every kind."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from api.services import api_token_create
from assessments.models import AssessmentScheme
from assessments.reqol.selectors import current_definition
from assessments.reqol.services import definition_import, reqol_record
from assessments.services import assessment_save
from caseload.outcomes import services as outcome_services
from returns.models import QuarterlyReturn
from smd.models import Role
from tests.assessments.test_reqol import definition_data
from tests.factories import (
    ContactFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
)

# Everything that would identify the person, each distinctive enough to find in any answer.
FIRST, LAST, KNOWN_AS = "Zebedee", "Quillfeather", "Zebbo"
NHS_NUMBER = "9434765919"
PHONE = "07700 900461"
NOTES = [
    "Talked about the flat on Marigold Lane",
    "Ring Marigold housing about the deposit",
    "Kestrel ward discharge note",
    "Sofa at Wrenfield cousin's",
    "Quietly fragile after the review",
    "Left for Ospreyton",
]


def make_token(team, by, **kwargs):
    kwargs.setdefault("system", "Insight hub")
    kwargs.setdefault("purpose", "outcomes-dashboard")
    kwargs.setdefault("expires_on", timezone.localdate() + timedelta(days=90))
    token, key = api_token_create(team=team, by=by, **kwargs)
    return token, key


def record_everything(person, navigator, notes):
    """An episode begun 60 days ago, and one record of each kind the API reads, with `notes`
    (six of them) written wherever a note can be."""
    start = timezone.localdate() - timedelta(days=60)
    episode = EpisodeFactory(person=person, start_date=start, closing_note=notes[5])
    episode.allocations.create(
        worker=navigator, kind="lead_navigator", allocated_by=navigator, reason=notes[5]
    )
    ContactFactory(
        person=person,
        episode=episode,
        author=navigator,
        summary=notes[0],
        follow_up_action=notes[1],
    )
    scheme = AssessmentScheme.objects.get(code="ndt-standard", version=1)
    items = list(scheme.items.all())
    assessment_save(
        person=person,
        episode=episode,
        scheme=scheme,
        assessed_on=start,
        assessor=navigator,
        participation="yes",
        scores={item.key: 2 for item in items},
        notes={items[0].key: notes[4]},
        complete=True,
        by=navigator,
    )
    definition = current_definition()
    reqol_record(
        person=person,
        episode=episode,
        definition=definition,
        completed_on=start,
        completion="themself",
        responses={item.key: 3 for item in definition.items.all()},
        by=navigator,
    )
    outcome_services.service_event_record(
        person=person,
        by=navigator,
        kind="ae_attendance",
        occurred_on=start,
        source="self_reported",
        note=notes[2],
    )
    outcome_services.accommodation_record(
        person=person, by=navigator, status="sofa_surfing", from_date=start, note=notes[3]
    )
    return episode


@pytest.fixture
def hub(shipped_schemes):
    team = TeamFactory(name="Riverside Navigators")
    other_team = TeamFactory(
        name="Hilltop Outreach", organisation=OrganisationFactory(name="Hilltop")
    )
    manager = UserFactory(role=Role.MANAGER, team=team)
    navigator = UserFactory(role=Role.NAVIGATOR, team=team)
    person = PersonFactory(
        team=team,
        first_name=FIRST,
        last_name=LAST,
        known_as=KNOWN_AS,
        date_of_birth=timezone.datetime(1971, 3, 9).date(),
        nhs_number=NHS_NUMBER,
        phone=PHONE,
        contact_notes="Text first, never leave a voicemail at Marigold Lane",
    )
    definition_import(data=definition_data())
    ReferralFactory(
        team=team,
        person=person,
        first_name=FIRST,
        last_name=LAST,
        nhs_number=NHS_NUMBER,
        domestic_abuse=True,
        domestic_abuse_note=NOTES[3],
        why_now=NOTES[0],
        safety_information=NOTES[1],
        status="eligible",
    ).decisions.create(
        outcome="eligible",
        disadvantage_count=4,
        reason=NOTES[4],
        decided_by=manager,
        decided_at=timezone.now(),
    )
    episode = record_everything(person, navigator, notes=NOTES)
    QuarterlyReturn.objects.create(
        team=team,
        quarter="2025/26 Q3",
        version=1,
        status="done",
        figures=[
            {
                "section": "People",
                "key": "active_at_end",
                "label": "People supported at the end of the quarter",
                "definition": "Open episodes on the last day.",
                "kind": "count",
                "values": {"all": 1},
                "bases": {},
                "counts_people": True,
                "money": False,
            }
        ],
    ).csv.save("r.csv", ContentFile(b"section,key"), save=True)
    stranger = PersonFactory(team=other_team, first_name="Otterly", last_name="Elsewhere")
    EpisodeFactory(person=stranger)
    tokens = {
        "pseudonymised": make_token(team, manager),
        "identifiable": make_token(
            team,
            manager,
            system="Case audit tool",
            purpose="case-audit",
            identifiable=True,
            lawful_basis="Article 6(1)(e) and 9(2)(h); the partnership's DSA of 2025",
        ),
        "notes": make_token(
            team,
            manager,
            system="Case review",
            purpose="case-review",
            identifiable=True,
            lawful_basis="Article 6(1)(e) and 9(2)(h)",
            include_notes=True,
        ),
        "other_team": make_token(other_team, UserFactory(role=Role.MANAGER, team=other_team)),
        "expired": make_token(team, manager, system="Old hub"),
        "revoked": make_token(team, manager, system="Retired hub"),
    }
    expired = tokens["expired"][0]
    expired.expires_on = timezone.localdate() - timedelta(days=1)
    expired.save()
    revoked = tokens["revoked"][0]
    revoked.revoked_at = timezone.now()
    revoked.save()
    return {
        "team": team,
        "other_team": other_team,
        "manager": manager,
        "navigator": navigator,
        "person": person,
        "stranger": stranger,
        "episode": episode,
        "tokens": {kind: token for kind, (token, _) in tokens.items()},
        "keys": {kind: key for kind, (_, key) in tokens.items()},
    }


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
