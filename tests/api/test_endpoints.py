"""Every endpoint, with tokens of every kind: what each answers and what it never shows."""

import json

import pytest
from django.urls import reverse

from smd.pseudonyms import pseudonym
from tests.api.conftest import (
    FIRST,
    KNOWN_AS,
    LAST,
    NHS_NUMBER,
    NOTES,
    PHONE,
    bearer,
    record_everything,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

# Every endpoint's URL name, and its query string.
ENDPOINTS = {
    "api:people": "",
    "api:episodes": "",
    "api:contacts": "",
    "api:assessments": "",
    "api:reqol": "",
    "api:crisis_events": "",
    "api:accommodation": "",
    "api:referrals": "",
    "api:allocations": "",
    "api:mdt_figures": "?quarter=2025/26 Q3",
    "api:returns": "",
}


def url_of(name, hub, kind="pseudonymised"):
    if name == "api:person":
        return reverse(name, args=[ref_of(hub["person"], hub, kind)])
    return reverse(name) + ENDPOINTS[name]


def ref_of(person, hub, kind):
    token = hub["tokens"][kind]
    return str(person.pk) if token.identifiable else pseudonym(person.pk, f"api:{token.purpose}")


def get(client, hub, name, kind="pseudonymised", key=None):
    return client.get(url_of(name, hub, kind), **bearer(key or hub["keys"][kind]))


def identifying(hub):
    person = hub["person"]
    return [
        FIRST,
        LAST,
        KNOWN_AS,
        NHS_NUMBER,
        PHONE,
        PHONE.replace(" ", ""),
        str(person.pk),
        person.pk.hex,
        "1971-03-09",
        "09/03/1971",
        "Marigold",
        *NOTES,
    ]


@pytest.mark.parametrize("name", [*ENDPOINTS, "api:person"])
def test_a_pseudonymised_token_sees_no_name_identifier_or_free_text(client, hub, name):
    response = get(client, hub, name)
    assert response.status_code == 200
    body = response.content.decode()
    for value in identifying(hub):
        assert value.lower() not in body.lower(), f"{value!r} in {name}"


@pytest.mark.parametrize("name", ["api:people", "api:contacts", "api:assessments", "api:referrals"])
def test_the_pseudonymity_check_would_find_a_name(client, hub, name):
    """The check above can fail: the same answers to an identifiable token with notes hold
    what it looks for."""
    body = get(client, hub, name, "notes").content.decode()
    assert any(value in body for value in identifying(hub))


def test_people_are_named_by_a_stable_pseudonym_per_purpose(client, hub):
    person = hub["person"]
    (row,) = get(client, hub, "api:people").json()["results"]
    assert row["person"] == pseudonym(person.pk, "api:outcomes-dashboard")
    assert row["person"].startswith("PS-")
    assert set(row) == {"person", "gender", "ethnicity", "disability", "age_band", "created_at"}
    assert row["age_band"] == "50_plus"
    # The same purpose gives the same pseudonym, another purpose another.
    assert pseudonym(person.pk, "api:outcomes-dashboard") == row["person"]
    assert pseudonym(person.pk, "api:case-audit") != row["person"]
    for name in ("api:episodes", "api:contacts", "api:assessments", "api:reqol"):
        (record,) = get(client, hub, name).json()["results"]
        assert record["person"] == row["person"], name


def test_an_identifiable_token_sees_names_and_identifiers_but_no_notes(client, hub):
    (row,) = get(client, hub, "api:people", "identifiable").json()["results"]
    assert row["person"] == str(hub["person"].pk)
    assert (row["first_name"], row["last_name"], row["nhs_number"]) == (FIRST, LAST, NHS_NUMBER)
    assert row["date_of_birth"] == "1971-03-09"
    (contact,) = get(client, hub, "api:contacts", "identifiable").json()["results"]
    assert "summary" not in contact and "follow_up_action" not in contact


def test_notes_go_only_to_a_token_made_with_them(client, hub):
    (contact,) = get(client, hub, "api:contacts", "notes").json()["results"]
    assert contact["summary"] == NOTES[0]
    assert contact["follow_up_action"] == NOTES[1]
    (assessment,) = get(client, hub, "api:assessments", "notes").json()["results"]
    assert NOTES[4] in [item["note"] for item in assessment["items"]]
    (event,) = get(client, hub, "api:crisis_events", "notes").json()["results"]
    assert event["note"] == NOTES[2]


def test_referrals_are_metadata_with_their_decisions(client, hub):
    (referral,) = get(client, hub, "api:referrals").json()["results"]
    assert referral["person"] == pseudonym(hub["person"].pk, "api:outcomes-dashboard")
    assert [referral[key] for key in ("homelessness", "offending", "domestic_abuse")] == [
        True,
        False,
        True,
    ]
    assert referral["referrer_organisation"]
    [decision] = referral["decisions"]
    assert (decision["outcome"], decision["disadvantage_count"]) == ("eligible", 4)
    assert set(decision) == {"outcome", "disadvantage_count", "decided_at"}
    assert referral["episode"] is None
    (identified,) = get(client, hub, "api:referrals", "notes").json()["results"]
    assert identified["person"] == str(hub["person"].pk)
    # Only the decision's reason, and only to a token made with notes.
    assert [note for note in NOTES if note in json.dumps(identified)] == [NOTES[4]]
    assert identified["decisions"][0]["reason"] == NOTES[4]


def test_allocations_name_the_worker_only_to_an_identifiable_token(client, hub):
    (allocation,) = get(client, hub, "api:allocations").json()["results"]
    assert allocation["worker_role"] == "navigator"
    assert "worker" not in allocation and "reason" not in allocation
    (identified,) = get(client, hub, "api:allocations", "identifiable").json()["results"]
    assert identified["worker"] == hub["navigator"].username
    assert identified["episode"] == str(hub["episode"].pk)


def test_contacts_are_metadata(client, hub):
    (contact,) = get(client, hub, "api:contacts").json()["results"]
    assert contact["kind"] == "face_to_face"
    assert contact["worker_role"] == "navigator"
    assert contact["duration_minutes"] == 30
    assert contact["episode"] == str(hub["episode"].pk)
    assert "summary" not in contact


def test_assessments_give_the_scheme_its_version_and_each_item(client, hub):
    (assessment,) = get(client, hub, "api:assessments").json()["results"]
    assert (assessment["scheme"], assessment["scheme_version"]) == ("ndt-standard", 1)
    assert len(assessment["items"]) == 10
    assert {item["score"] for item in assessment["items"]} == {2}
    assert "note" not in assessment["items"][0]
    assert assessment["standard_total"] == assessment["total"]


def test_reqol_events_and_accommodation(client, hub):
    (record,) = get(client, hub, "api:reqol").json()["results"]
    assert len(record["answers"]) == 10
    (event,) = get(client, hub, "api:crisis_events").json()["results"]
    assert (event["kind"], event["quantity"]) == ("ae_attendance", 1)
    (place,) = get(client, hub, "api:accommodation").json()["results"]
    assert place["status"] == "sofa_surfing"
    assert "note" not in place


def test_mdt_figures_need_a_quarter_and_name_nobody(client, hub):
    answer = get(client, hub, "api:mdt_figures").json()
    assert answer["quarter"] == "2025/26 Q3"
    assert answer["figures"]["meetings_held"] == 0
    assert "person_ids" not in answer["figures"]
    key = bearer(hub["keys"]["pseudonymised"])
    assert client.get(reverse("api:mdt_figures"), **key).status_code == 400
    response = client.get(reverse("api:mdt_figures") + "?quarter=2025/27 Q1", **key)
    assert response.status_code == 400
    assert "quarter" in response.json()


def test_returns_give_each_built_versions_figures(client, hub):
    (built,) = get(client, hub, "api:returns").json()["results"]
    assert (built["quarter"], built["version"], built["signed_off"]) == ("2025/26 Q3", 1, False)
    assert built["figures"][0]["key"] == "active_at_end"
    key = bearer(hub["keys"]["pseudonymised"])
    other = client.get(reverse("api:returns") + "?quarter=2024/25 Q1", **key).json()
    assert other["results"] == []


def test_a_person_filter_takes_the_tokens_own_name_for_them(client, hub):
    key = bearer(hub["keys"]["pseudonymised"])
    ref = ref_of(hub["person"], hub, "pseudonymised")
    found = client.get(reverse("api:contacts"), {"person": ref}, **key).json()
    assert found["count"] == 1
    # Another purpose's pseudonym, or the record's id, names nobody to this token.
    for wrong in (pseudonym(hub["person"].pk, "api:case-audit"), str(hub["person"].pk)):
        assert client.get(reverse("api:contacts"), {"person": wrong}, **key).json()["count"] == 0


def test_answers_are_paginated(client, hub):
    key = bearer(hub["keys"]["pseudonymised"])
    answer = client.get(reverse("api:people"), {"page_size": 1}, **key).json()
    assert set(answer) == {"count", "next", "previous", "results"}
    assert client.get(reverse("api:people"), {"page": 2}, **key).status_code == 404


def test_answers_are_json(client, hub):
    response = get(client, hub, "api:people")
    assert response["Content-Type"] == "application/json"
    json.loads(response.content)


@pytest.mark.parametrize("kind", ["pseudonymised", "notes"])
def test_each_list_costs_the_same_however_many_records(client, hub, count_queries, kind):
    """Each call: the token (with its team), the count, the page, what the page's records bring
    with them (NDT items, ReQoL-10 answers, partner organisations), and the audit entry. The
    MDT figures are mdt.selectors.mdt_figures' own queries."""
    key = bearer(hub["keys"][kind])
    urls = [reverse(name) + ENDPOINTS[name] for name in ENDPOINTS]
    few = [count_queries.page(client, url, **key) for url in urls]
    for n in range(3):
        person = PersonFactory(team=hub["team"], first_name=f"Extra{n}")
        record_everything(person, hub["navigator"], notes=[f"note {n}"] * 6)
    assert [count_queries.page(client, url, **key) for url in urls] == few
    assert dict(zip(ENDPOINTS, few, strict=True)) == {
        "api:people": 4,
        "api:episodes": 4,
        "api:contacts": 5,
        "api:assessments": 5,
        "api:reqol": 5,
        "api:crisis_events": 4,
        "api:accommodation": 4,
        "api:referrals": 5,
        "api:allocations": 4,
        "api:mdt_figures": 7,
        "api:returns": 4,
    }
