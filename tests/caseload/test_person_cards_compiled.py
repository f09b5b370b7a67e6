"""The person page's cards read their records with queries compiled once per process (ADR
0039) only for a person read for the user asking, and read them afresh on every request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appointments.models import Appointment
from appointments.selectors import person_appointments
from caseload.models import Allocation, EventKind, ServiceEvent
from caseload.outcomes.selectors import events_panel
from caseload.selectors import person_detail
from documents.models import Document
from documents.selectors import person_documents
from mdt.models import Action, AgendaItem, MdtMeeting
from mdt.selectors import person_open_actions
from sharing.models import SharingAgreement
from sharing.selectors import person_sharing
from smd.models import Role
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    share_for_mdt,
)


@pytest.fixture
def lee(team, navigator):
    person = PersonFactory(team=team, first_name="Lee")
    episode = EpisodeFactory(person=person)
    AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    return person


def _document(person, by, title, **fields):
    return Document.objects.create(
        person=person,
        kind="letter",
        title=title,
        dated=timezone.localdate(),
        stored_name=f"test/{title}",
        content_type="application/pdf",
        extension=".pdf",
        size=1,
        uploaded_by=by,
        **fields,
    )


def _appointment(person, by, days, place):
    return Appointment.objects.create(
        person=person, worker=by, booked_by=by, starts_at=timezone.now() + timedelta(days=days),
        place=place,
    )  # fmt: skip


def _shown(records, *names):
    """What a card shows of each record: the named attributes, dotted through related ones."""

    def value(record, name):
        for part in name.split("."):
            record = getattr(record, part)
        return record

    return [tuple(value(record, name) for name in names) for record in records]


def _cards(person, user):
    """Each card's records, as the card shows them."""
    appointments = person_appointments(person, user)
    sharing = person_sharing(person, user)
    agreement = ("organisation.name", "purpose", "recorded_by.first_name", "expires_on")
    return {
        "documents": _shown(person_documents(person, user), "title", "uploaded_by.first_name"),
        "upcoming": _shown(appointments.upcoming, "place", "starts_at", "worker.first_name"),
        "recent": _shown(appointments.recent, "place", "status"),
        "actions": _shown(
            person_open_actions(person, user), "description", "owner.first_name", "due_on"
        ),
        "in_force": _shown(sharing["in_force"], *agreement),
        "history": _shown(sharing["history"], *agreement, "withdrawal_reason"),
        "events": events_panel(person, user)["quarter_counts"].nonzero(),
    }


def _everything(lee, navigator, n):
    org = OrganisationFactory(name=f"Probation {n}")
    _document(lee, navigator, f"Letter {n}")
    _document(lee, navigator, f"Removed {n}", removed_at=timezone.now(), removed_by=navigator)
    _appointment(lee, navigator, 2 + n, f"Café {n}")
    _appointment(lee, navigator, -3 - n, f"Office {n}")
    (agreement,) = share_for_mdt(lee, org, by=navigator)
    SharingAgreement.objects.filter(pk=agreement.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=navigator, withdrawal_reason=f"<&> {n}"
    )
    share_for_mdt(lee, OrganisationFactory(name=f"Housing {n}"), by=navigator)
    ServiceEvent.objects.create(
        person=lee, kind=EventKind.choices[n][0], occurred_on=timezone.localdate(),
        source="staff_observed", recorded_by=navigator,
    )  # fmt: skip


def test_compiled_cards_read_what_the_scoped_queries_read_and_each_write_at_once(
    lee, navigator, team, make_user
):
    chair = make_user(Role.MDT_CHAIR)
    meeting = MdtMeeting.objects.create(team=team, starts_at=timezone.now(), place="x", chair=chair)
    item = AgendaItem.objects.create(
        meeting=meeting, person=lee, kind="new", sharing_basis="agreed", position=1
    )
    compiled_before = None
    for n in range(2):
        _everything(lee, navigator, n)
        Action.objects.create(
            agenda_item=item, person=lee, description=f"Call <b>{n}</b>", owner=navigator,
            owner_organisation=team.organisation, due_on=timezone.localdate(), created_by=navigator,
        )  # fmt: skip
        Action.objects.create(
            agenda_item=item, person=lee, description="Done", owner=navigator,
            owner_organisation=team.organisation, due_on=timezone.localdate(), created_by=navigator,
            done_at=timezone.now(),
        )  # fmt: skip
        read = person_detail(navigator, lee.pk)  # read for the navigator: the compiled queries
        compiled = _cards(read, navigator)
        assert compiled == _cards(lee, navigator)  # not read for them: the scoped queries
        assert compiled != compiled_before  # what was written since shows at once
        assert len(compiled["documents"]) == n + 1 and len(compiled["history"]) == n + 1
        assert len(compiled["upcoming"]) == n + 1 and len(compiled["events"]) == n + 1
        assert len(compiled["actions"]) == n + 1 and len(compiled["in_force"]) == n + 1
        compiled_before = compiled


def test_a_person_read_for_one_user_is_read_for_another_through_their_scope(
    lee, navigator, make_user
):
    _everything(lee, navigator, 0)
    read = person_detail(navigator, lee.pk)
    mentor = make_user(Role.PEER_MENTOR)  # not allocated to Lee: sees nothing of them
    assert person_documents(read, mentor) == []
    assert person_appointments(read, mentor).upcoming == []
    assert person_documents(read, navigator) != []
