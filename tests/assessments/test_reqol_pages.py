"""ReQoL-10 in the browser's terms: unavailable until wording is loaded, then recorded on one
page and shown over time, like the NDT."""

import pytest
from django.urls import reverse

from assessments.models import ReqolRecord
from assessments.reqol.services import definition_import
from caseload.models import Allocation
from smd.models import Role
from tests.assessments.test_reqol import REVERSED, definition_data
from tests.factories import AllocationFactory, new_key


@pytest.fixture
def allocated(person, episode, navigator):
    AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    return person


def test_the_person_page_and_form_say_plainly_it_is_not_loaded(navigator_client, allocated):
    page = navigator_client.get(allocated.get_absolute_url()).content.decode()
    assert "Can't be recorded yet: your organisation's licensed wording" in page
    assert "Record ReQoL-10" not in page
    form = navigator_client.get(reverse("reqol:new", args=[allocated.pk]))
    assert form.status_code == 200
    assert "licensed copy has not been loaded" in form.content.decode()
    assert '<form method="post" action="/people/' not in form.content.decode()
    refused = navigator_client.post(reverse("reqol:new", args=[allocated.pk]), {"item_item_1": "2"})
    assert refused.status_code == 409 and not ReqolRecord.objects.exists()


def test_once_loaded_a_navigator_records_one_and_sees_it_over_time(navigator_client, allocated):
    definition_import(data=definition_data())
    page = navigator_client.get(allocated.get_absolute_url()).content.decode()
    assert "Record ReQoL-10" in page and "Made-up acknowledgement for tests." in page
    form = navigator_client.get(reverse("reqol:new", args=[allocated.pk])).content.decode()
    assert "Made-up statement 10" in form and "Half the time" in form
    answers = {f"item_item_{n}": "1" if f"item_{n}" in REVERSED else "3" for n in range(1, 11)}
    missing = dict(answers)
    del missing["item_item_4"]
    response = navigator_client.post(
        reverse("reqol:new", args=[allocated.pk]),
        {"completed_on": "2025-03-01", "completion": "themself", **missing, **new_key()},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "<title>Error: " in body and "Choose an answer for statement 4." in body
    assert not ReqolRecord.objects.exists()
    response = navigator_client.post(
        reverse("reqol:new", args=[allocated.pk]),
        {"completed_on": "2025-03-01", "completion": "supported", **answers, **new_key()},
    )
    assert response.status_code == 302
    assert ReqolRecord.objects.get().total == 30  # 6 × 3 + 4 × (4 − 1)
    history = navigator_client.get(reverse("reqol:history", args=[allocated.pk])).content.decode()
    assert "<svg" in history and "<strong>30</strong>" in history
    page = navigator_client.get(allocated.get_absolute_url()).content.decode()
    assert "<strong>30</strong> of 40" in page and "ReQoL-10: 30 of 40" in page


def test_an_mdt_chair_reads_reqol_but_does_not_record_it(client_for, make_user, allocated):
    definition_import(data=definition_data())
    chair = client_for(make_user(Role.MDT_CHAIR))
    assert chair.get(reverse("reqol:history", args=[allocated.pk])).status_code == 200
    assert chair.get(reverse("reqol:new", args=[allocated.pk])).status_code == 403
