"""Caseload detail pages issue the same number of queries however much history they show."""

from caseload import services
from caseload.models import Allocation
from tests.factories import AllocationFactory, ContactFactory


def test_contact_detail_costs_the_same_as_its_versions_grow(
    navigator_client, navigator, person, episode, count_queries
):
    AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    contact = ContactFactory(person=person, episode=episode, author=navigator)
    services.contact_edit(contact=contact, by=navigator, summary="First change.")
    few = count_queries.page(navigator_client, contact.get_absolute_url())
    for n in range(8):
        services.contact_edit(contact=contact, by=navigator, summary=f"Change {n}.")
    assert count_queries.page(navigator_client, contact.get_absolute_url()) == few
