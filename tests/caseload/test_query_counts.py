"""Caseload detail pages issue the same number of queries however much history they show."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseload import services
from caseload.models import Allocation
from tests.factories import AllocationFactory, ContactFactory


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_contact_detail_costs_the_same_as_its_versions_grow(
    navigator_client, navigator, person, episode
):
    AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    contact = ContactFactory(person=person, episode=episode, author=navigator)
    services.contact_edit(contact=contact, by=navigator, summary="First change.")
    few = _count(navigator_client, contact.get_absolute_url())
    for n in range(8):
        services.contact_edit(contact=contact, by=navigator, summary=f"Change {n}.")
    assert _count(navigator_client, contact.get_absolute_url()) == few
