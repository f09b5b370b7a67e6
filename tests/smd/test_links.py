"""smd.links.id_url: the URL `reverse` gives, the pattern reversed once."""

import uuid

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from smd.links import id_url


@pytest.mark.parametrize(
    ("viewname", "count"),
    [
        ("caseload:person_detail", 1),
        ("caseload:contact_detail", 2),
        ("sharing:agreement_withdraw", 2),
        ("documents:upload", 1),
    ],
)
def test_it_gives_what_reverse_gives(viewname, count):
    for _ in range(3):
        ids = [uuid.uuid4() for _ in range(count)]
        assert id_url(viewname, *ids) == reverse(viewname, args=ids)


def test_it_keeps_the_ids_in_their_places():
    person, contact = uuid.uuid4(), uuid.uuid4()
    assert id_url("caseload:contact_detail", person, contact) == (
        f"/people/{person}/contacts/{contact}/"
    )


def test_it_follows_the_script_prefix():
    pk = uuid.uuid4()
    assert id_url("caseload:person_detail", pk) == f"/people/{pk}/"
    set_script_prefix("/smd/")
    try:
        assert id_url("caseload:person_detail", pk) == f"/smd/people/{pk}/"
        assert id_url("caseload:person_detail", pk) == reverse("caseload:person_detail", args=[pk])
    finally:
        clear_script_prefix()
    assert id_url("caseload:person_detail", pk) == f"/people/{pk}/"


def test_an_id_that_is_not_a_uuid_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        id_url("caseload:person_detail", "not-a-uuid")
    with pytest.raises(NoReverseMatch):
        id_url("caseload:contact_detail", uuid.uuid4())


def test_a_uuid_as_text_is_reversed_as_usual():
    pk = uuid.uuid4()
    assert id_url("caseload:person_detail", str(pk)) == f"/people/{pk}/"
