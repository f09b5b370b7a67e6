"""Subject access export: everything about the person, nobody else's, logged, never cached."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader

from rights.collect import EXCLUDED, history_model_of, person_models
from rights.export import person_export
from smd.audit.models import AuditEvent


def _export(client, person, fmt):
    return client.post(reverse("rights:export", args=[person.pk]), {"format": fmt})


def test_export_holds_every_kind_of_record_about_the_person(rights_world):
    data, _ = person_export(rights_world["ann"], by=rights_world["manager"])
    # The fixture makes one record of every kind: each is exported, with its earlier versions
    # where django-simple-history keeps them.
    kinds = {m._meta.label for m in person_models()}
    history = {
        history_model_of(m)._meta.label for m in person_models() if history_model_of(m) is not None
    }
    assert set(data["records"]) == kinds | history
    text = json.dumps(data)
    for words in [
        "SECRET summary",
        "SECRET goal",
        "SECRET discussion",
        "SECRET action",
        "SECRET Alias",
    ]:
        assert words in text
    person = data["records"]["caseload.Person"][0]
    assert person["first_name"] == "Annabel"
    assert person["gender"] == {"code": "woman", "label": "Woman"}
    assert data["manifest"]["person_id"] == str(rights_world["ann"].pk)
    counts = {c["model"]: c["records"] for c in data["manifest"]["contents"]}
    assert counts["caseload.Allocation"] == 2
    assert counts["assessments.ItemScore"] == 20


def test_export_holds_nobody_elses_data(rights_world):
    """Zed sat on the same MDT agenda, saw the same navigator and had the same kinds of record:
    none of his appears, only Ann's own agenda item."""
    data, _ = person_export(rights_world["ann"], by=rights_world["manager"])
    text = json.dumps(data)
    assert "OTHERPERSON" not in text
    assert "Zebedee" not in text and "Outsider" not in text
    assert str(rights_world["zed"].pk) not in text
    assert len(data["records"]["mdt.AgendaItem"]) == 1


def test_staff_are_named_and_the_referrers_contact_is_withheld(rights_world):
    data, _ = person_export(rights_world["ann"], by=rights_world["manager"])
    contact = data["records"]["caseload.Contact"][0]
    assert contact["author"] == "Nadia Navigator"
    assert contact["agencies"] == ["Northgate Probation"]
    referral = data["records"]["referrals.Referral"][0]
    assert "rita.referrer@example.org" not in json.dumps(data)
    assert referral["referrer_contact"].startswith("Withheld")
    assert {"model": "referrals.Referral", "field": "referrer_contact"}.items() <= data["manifest"][
        "withheld_fields"
    ][0].items()


def test_every_model_holding_a_person_reference_is_exported_or_excluded():
    """Found another way from the collector: every relation into Person (hidden ones too, like
    an agenda item's), every relation into those models, and any plain field that holds a
    person's id. A new model here must be exported (it is, by the collector) or excluded with
    a reason."""
    exported = {m._meta.label for m in person_models()}
    person = apps.get_model("caseload", "Person")
    holding = set()
    frontier = [person]
    while frontier:
        target = frontier.pop()
        for rel in target._meta.get_fields(include_hidden=True):
            if rel.auto_created and not rel.concrete and rel.related_model is not None:
                model = rel.related_model
                label = model._meta.label
                if model._meta.auto_created or label in holding or model is person:
                    continue
                if model._meta.model_name.startswith("historical"):
                    continue  # django-simple-history rows go with the record they copy
                holding.add(label)
                if label not in EXCLUDED:
                    frontier.append(model)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.name in {"person_id", "person_pk", "subject_id"} and not field.is_relation:
                holding.add(model._meta.label)
    missing = holding - exported - set(EXCLUDED)
    assert not missing, f"Export these or add them to EXCLUDED with a reason: {missing}"
    assert exported - {"caseload.Person"} <= holding


def test_manager_downloads_json_with_no_store_and_an_audit_entry(rights_world, client_for):
    client = client_for(rights_world["manager"])
    ann = rights_world["ann"]
    response = _export(client, ann, "json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert "Annabel" not in response["Content-Disposition"]
    assert json.loads(response.content)["records"]["caseload.Person"][0]["last_name"] == "Quigley"
    # One entry for the file, saying which format: the page's own entry is not added twice.
    entry = AuditEvent.objects.get()
    assert entry.action == "export" and entry.person_id == ann.pk
    assert entry.user == rights_world["manager"]
    assert str(ann.pk) in entry.path and "Annabel" not in entry.description


def test_manager_downloads_a_readable_pdf(rights_world, client_for):
    client = client_for(rights_world["manager"])
    response = _export(client, rights_world["ann"], "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Annabel Quigley" in text
    assert "SECRET summary" in text
    assert "Nadia Navigator" in text
    assert "OTHERPERSON" not in text and "Zebedee" not in text
    assert AuditEvent.objects.filter(action="export", description__contains="PDF").count() == 1


def test_export_page_says_what_it_holds(rights_world, client_for):
    client = client_for(rights_world["manager"])
    response = client.get(reverse("rights:export", args=[rights_world["ann"].pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert ("Contacts", 1) in response.context["contents"]
    assert not AuditEvent.objects.filter(action="export").exists()
    opened = AuditEvent.objects.get()
    assert (opened.action, opened.person_id) == ("view", rights_world["ann"].pk)


def test_a_refused_export_is_logged_as_denied(rights_world, client_for, make_user):
    navigator = make_user(team=rights_world["ann"].team)
    url = reverse("rights:export", args=[rights_world["ann"].pk])
    assert client_for(navigator).post(url, {"format": "json"}).status_code == 403
    denied = AuditEvent.objects.get()
    assert (denied.action, denied.person_id, denied.user) == (
        "denied",
        rights_world["ann"].pk,
        navigator,
    )


def test_export_without_a_format_is_an_error_not_a_file(rights_world, client_for):
    client = client_for(rights_world["manager"])
    response = client.post(reverse("rights:export", args=[rights_world["ann"].pk]), {})
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("role", ["navigator", "team_leader", "mdt_chair"])
def test_other_team_roles_may_not_export(rights_world, client_for, make_user, role):
    client = client_for(make_user(role))
    assert _export(client, rights_world["ann"], "json").status_code == 403


def test_another_teams_manager_gets_404(rights_world, client_for, other_team):
    from tests.factories import UserFactory

    client = client_for(UserFactory(role="manager", team=other_team))
    assert _export(client, rights_world["ann"], "json").status_code == 404


def test_export_costs_the_same_however_many_records(rights_world, count_queries):
    """Finding the records: one query per (model, pass) until nothing new turns up; reading
    them: one per kind of record (plus one per many-to-many)."""
    from tests.factories import ContactFactory

    def count():
        with count_queries.during() as queries:
            person_export(rights_world["ann"], by=rights_world["manager"])
        return len(queries)

    before = count()
    for _ in range(5):
        ContactFactory(person=rights_world["ann"], author=rights_world["staff"])
    assert count() == before


def test_the_zip_holds_the_pdf_the_json_and_the_uploaded_files(rights_world, client_for):
    client = client_for(rights_world["manager"])
    response = _export(client, rights_world["ann"], "zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert {"subject-access.pdf", "subject-access.json"} <= set(names)
    (document,) = json.loads(archive.read("subject-access.json"))["records"]["documents.Document"]
    file_name = f"files/documents.document/{document['id']}.pdf"
    assert file_name in names
    assert archive.read(file_name) == b"%PDF-1.7 SECRET"
    assert not any(b"OTHERPERSON" in archive.read(name) for name in names if "files/" in name)
    manifest = json.loads(archive.read("subject-access.json"))["manifest"]
    assert manifest["files"] == [file_name]
    assert AuditEvent.objects.filter(action="export", description__contains="ZIP").count() == 1
