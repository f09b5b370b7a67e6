"""My caseload is paged, so its order must be total: people of the same name never contacted
keep their places from one request to the next, and each is on exactly one page."""

import uuid

import pytest
from django.urls import reverse

from caseload import selectors, views
from caseload.models import Allocation
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_people_alike_in_everything_the_order_reads_are_listed_by_id(
    team, navigator, navigator_client, monkeypatch
):
    # Made so that the ids run against the order the people were made in.
    ids = [uuid.UUID(f"{n:x}" * 32) for n in (15, 14, 13)]
    for pk in ids:
        person = PersonFactory(id=pk, team=team, first_name="Sam", last_name="Lee")
        AllocationFactory(
            episode=EpisodeFactory(person=person),
            worker=navigator,
            kind=Allocation.Kind.LEAD_NAVIGATOR,
        )

    assert [p.pk for p in selectors.my_caseload(navigator)] == sorted(ids)
    assert [p.pk for p in selectors.my_caseload_head(navigator, 10)] == sorted(ids)

    # One a page: each person on exactly one page, in that order.
    monkeypatch.setattr(views, "CASELOAD_PAGE_SIZE", 1)
    shown = []
    for page in (1, 2, 3):
        body = navigator_client.get(reverse("caseload:my_caseload"), {"page": page}).content
        shown.append([pk for pk in ids if str(pk).encode() in body])
    assert shown == [[pk] for pk in sorted(ids)]
