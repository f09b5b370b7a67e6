"""Two editors: every form that edits an existing record refuses a save from a form opened
before someone else saved, shows both versions and keeps what was typed (ADR 0018).

Each test opens the form as Alice and as Bob, lets Alice save, then has Bob save from his
older page: Bob is refused, sees what Alice saved beside what he typed, his typing is still in
the form, and nothing of his is written. Saving again from the re-shown form is deliberate and
goes through.
"""

import pytest
from django.urls import reverse

from caseload.forms import PersonForm
from caseload.models import Person
from smd.models import Role
from tests.factories import PersonFactory
from tests.hostile import as_post

REFUSED = "Someone else saved this record since you opened it"


def opened(client, url, form_key="form"):
    """The form as the page showed it, as a browser would send it back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context[form_key]


def refused(response):
    """The re-shown form after a refused save, with the comparison on the page."""
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert REFUSED in page
    form = response.context["form"]
    assert form.conflict is not None
    return form, page


def row(form, label_start):
    return next(r for r in form.conflict_rows if str(r["label"]).startswith(label_start))


@pytest.fixture
def alice(make_user):
    return make_user(Role.NAVIGATOR, first_name="Alice")


@pytest.fixture
def bob(make_user):
    return make_user(Role.NAVIGATOR, first_name="Bob")


@pytest.fixture
def clients(client_for, alice, bob):
    return client_for(alice), client_for(bob)


# --- person ------------------------------------------------------------------------------------


def test_stale_person_save_keeps_the_phone_number_and_the_typed_safety_note(team, clients):
    person = PersonFactory(team=team, phone="07700 900001")
    url = reverse("caseload:person_edit", args=[person.pk])
    a, b = clients
    form_a, form_b = opened(a, url), opened(b, url)
    assert a.post(url, as_post(form_a, phone="07700 900999")).status_code == 302

    response = b.post(
        url, as_post(form_b, contact_notes="Do not call after 6pm.", risk_flags=["overdose"])
    )

    form, page = refused(response)
    assert row(form, "Phone")["stored"] == "07700 900999"
    assert row(form, "Phone")["yours"] == "07700 900001"
    assert "Do not call after 6pm." in page  # still in the form
    person.refresh_from_db()
    assert person.phone == "07700 900999"
    assert person.contact_notes == "" and person.risk_flags == []
    assert person.version == 2


def test_saving_again_from_the_refused_form_is_deliberate_and_goes_through(team, clients):
    person = PersonFactory(team=team, phone="07700 900001")
    url = reverse("caseload:person_edit", args=[person.pk])
    a, b = clients
    form_a, form_b = opened(a, url), opened(b, url)
    a.post(url, as_post(form_a, phone="07700 900999"))
    form, _ = refused(b.post(url, as_post(form_b, contact_notes="Text only.")))

    # The re-shown form carries the new version: Bob saves, having seen Alice's number.
    again = b.post(url, {**form.data.dict(), "phone": "07700 900999"})

    assert again.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.contact_notes) == ("07700 900999", "Text only.")


def test_a_post_without_the_version_is_refused_rather_than_guessed(team, clients):
    person = PersonFactory(team=team, phone="07700 900001")
    url = reverse("caseload:person_edit", args=[person.pk])
    a, _ = clients
    data = as_post(opened(a, url), phone="07700 900777", version=None)
    refused(a.post(url, data))
    assert Person.objects.get(pk=person.pk).phone == "07700 900001"


def test_safety_flags_cannot_be_reverted_from_an_older_form(team, clients):
    person = PersonFactory(team=team)
    url = reverse("caseload:person_edit", args=[person.pk])
    a, b = clients
    form_a, form_b = opened(a, url), opened(b, url)
    a.post(url, as_post(form_a, risk_flags=["visit_in_pairs", "domestic_abuse"]))

    form, _ = refused(b.post(url, as_post(form_b, known_as="Jo")))

    flags = row(form, "Before seeing them")
    assert flags["stored"] == "Domestic abuse: the abuser may be present, Visit in pairs"
    assert flags["yours"] == "(blank)"
    assert Person.objects.get(pk=person.pk).risk_flags == ["visit_in_pairs", "domestic_abuse"]


def test_person_form_knows_the_version_it_was_opened_on(team):
    person = PersonFactory(team=team)
    assert PersonForm(instance=person).initial["version"] == f"{person.pk}:1"
