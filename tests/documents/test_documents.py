"""Documents on a person's record: uploading, opening, sharing with the MDT, changing and
removing. Storage is Django's default (a temporary folder in tests); the S3 round trip is
tested with the storage settings."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caseload.models import Allocation
from documents import services
from documents.files import CheckedFile
from documents.models import Document
from mdt.models import MdtMeeting
from mdt.services import agenda_add, agenda_share, meeting_create
from sharing.services import sharing_agreement_withdraw
from smd.audit.models import AuditAction, AuditEvent
from smd.models import Role
from tests.factories import (
    AllocationFactory,
    ContactFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    current_version,
    dsa_for_mdt,
    new_key,
    share_for_mdt,
)
from tests.mdt.conftest import refer

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(data=PDF):
    return CheckedFile("pdf", "application/pdf", ".pdf", data, True)


@pytest.fixture
def person(team):
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    EpisodeFactory(person=person)
    return person


@pytest.fixture
def probation(db):
    return OrganisationFactory(name="Northgate Probation", sector="probation")


@pytest.fixture
def partner(probation):
    return UserFactory(role=Role.MDT_MEMBER, team=None, organisation=probation)


@pytest.fixture
def document(person, navigator):
    return services.document_upload(
        person=person,
        checked=pdf(),
        kind="consent",
        title="Signed consent",
        dated=timezone.localdate(),
        by=navigator,
    )


@pytest.fixture
def case(team, person, navigator, probation, partner, make_user):
    """Lee on a shared agenda of the team's MDT, to which the probation partner is invited,
    under a data-sharing agreement and Lee's own MDT sharing agreement with probation."""
    dsa_for_mdt(team.organisation, probation, by=make_user(Role.MANAGER))
    (agreement,) = share_for_mdt(person, probation, by=navigator)
    meeting = meeting_create(
        meeting=MdtMeeting(
            team=team,
            starts_at=timezone.now() + timedelta(days=2),
            place="Room 4",
            chair=make_user(Role.MDT_CHAIR),
        ),
        organisations=[probation],
        members=[partner],
    )
    item = agenda_add(
        meeting=meeting, person=person, mdt_referral=refer(person, navigator, share_with=())
    )
    agenda_share(meeting=meeting)
    return {"item": item, "agreement": agreement}


def upload_post(**changes):
    data = {
        "file": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        "kind": "letter",
        "title": "Letter from the council",
        "dated": timezone.localdate().isoformat(),
        **new_key(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- uploading ---------------------------------------------------------------------------------


def test_an_upload_is_stored_under_a_random_name_and_listed_on_the_person_page(
    navigator_client, person
):
    url = reverse("documents:upload", args=[person.pk])
    page = navigator_client.get(url).content.decode()
    assert 'type="file"' in page and 'accept=".pdf,.jpg' in page
    assert 'enctype="multipart/form-data"' in page
    response = navigator_client.post(url, upload_post())
    assert response.status_code == 302
    document = Document.objects.get(person=person)
    assert document.stored_name.startswith("documents/")
    assert "scan" not in document.stored_name
    assert default_storage.open(document.stored_name).read() == PDF
    assert (document.content_type, document.size, document.inline) == (
        "application/pdf",
        len(PDF),
        True,
    )
    page = navigator_client.get(person.get_absolute_url()).content.decode()
    assert "Letter from the council" in page
    assert reverse("documents:download", args=[document.pk]) in page


def test_the_same_form_sent_twice_stores_one_document(navigator_client, person):
    url = reverse("documents:upload", args=[person.pk])
    data = upload_post()
    key = data["submission_key"]
    navigator_client.post(url, data)
    navigator_client.post(url, upload_post(submission_key=key))
    assert Document.objects.filter(person=person).count() == 1


def test_a_refused_file_is_a_field_error_and_the_rest_of_the_form_is_kept(navigator_client, person):
    url = reverse("documents:upload", args=[person.pk])
    bad = SimpleUploadedFile("notes.pdf", b"just text", content_type="application/pdf")
    response = navigator_client.post(url, upload_post(file=bad, title="Housing letter"))
    assert response.status_code == 400
    form = response.context["form"]
    assert "Upload a PDF" in form.errors["file"][0]
    assert list(form.errors) == ["file"]
    page = response.content.decode()
    assert 'value="Housing letter"' in page
    assert not Document.objects.exists()
    response = navigator_client.post(url, upload_post(file=None, title="Housing letter"))
    assert response.context["form"].errors["file"] == ["Choose the file to upload."]


def test_links_offer_only_the_persons_own_records(navigator_client, person, team, navigator):
    own = ContactFactory(person=person, author=navigator)
    someone_else = ContactFactory(person=PersonFactory(team=team), author=navigator)
    url = reverse("documents:upload", args=[person.pk])
    form = navigator_client.get(url).context["form"]
    assert list(form.fields["contact"].queryset) == [own]
    response = navigator_client.post(url, upload_post(contact=str(someone_else.pk)))
    assert response.status_code == 400
    assert "contact" in response.context["form"].errors
    navigator_client.post(url, upload_post(contact=str(own.pk)))
    assert Document.objects.get().contact == own


def test_the_service_refuses_a_link_to_another_persons_record(person, team, navigator):
    other = ContactFactory(person=PersonFactory(team=team), author=navigator)
    with pytest.raises(Exception, match="this person"):
        services.document_upload(
            person=person,
            checked=pdf(),
            kind="letter",
            title="x",
            dated=timezone.localdate(),
            by=navigator,
            contact=other,
        )


def test_a_sharing_agreement_links_to_attaching_its_signed_form(
    navigator_client, person, navigator, probation
):
    (agreement,) = share_for_mdt(person, probation, by=navigator)
    page = navigator_client.get(person.get_absolute_url()).content.decode()
    attach = reverse("documents:upload", args=[person.pk]) + f"?agreement={agreement.pk}"
    assert attach in page
    form = navigator_client.get(attach).context["form"]
    assert form.initial["sharing_agreement"] == str(agreement.pk)
    assert form.initial["kind"] == "consent"
    url = reverse("documents:upload", args=[person.pk])
    assert navigator_client.get(url + "?agreement=not-an-id").status_code == 200


# --- opening -----------------------------------------------------------------------------------


def test_a_pdf_opens_in_the_browser_with_safe_headers_and_is_logged(
    navigator_client, navigator, document
):
    response = navigator_client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert 'filename="Signed consent.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.filter(user=navigator, action=AuditAction.DOWNLOAD).get()
    assert event.person_id == document.person_id


def test_a_word_document_is_always_saved_not_shown(navigator_client, person, navigator):
    docx = CheckedFile(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
        b"PK\x03\x04word/",
        False,
    )
    document = services.document_upload(
        person=person,
        checked=docx,
        kind="letter",
        title="Tenancy <letter>",
        dated=timezone.localdate(),
        by=navigator,
    )
    response = navigator_client.get(reverse("documents:download", args=[document.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="Tenancy _letter_.docx"' in response["Content-Disposition"]


def test_other_teams_and_unallocated_peer_mentors_get_not_found(
    client_for, document, other_team, make_user, person
):
    url = reverse("documents:download", args=[document.pk])
    outsider = UserFactory(role=Role.TEAM_LEADER, team=other_team)
    assert client_for(outsider).get(url).status_code == 404
    mentor = make_user(Role.PEER_MENTOR)
    assert client_for(mentor).get(url).status_code == 404
    AllocationFactory(
        episode=person.episodes.get(), worker=mentor, kind=Allocation.Kind.PEER_MENTOR
    )
    assert client_for(mentor).get(url).status_code == 200


# --- the MDT -----------------------------------------------------------------------------------


def test_a_partner_sees_shareable_documents_only_while_the_case_is_theirs_to_see(
    client_for, partner, navigator, document, case
):
    url = reverse("documents:download", args=[document.pk])
    case_url = reverse("mdt:case", args=[case["item"].pk])
    client = client_for(partner)
    assert client.get(url).status_code == 404  # not marked shareable
    assert "Signed consent" not in client.get(case_url).content.decode()

    services.document_edit(document=document, by=navigator, shareable_with_mdt=True)
    assert "Signed consent" in client.get(case_url).content.decode()
    assert client.get(url).status_code == 200

    sharing_agreement_withdraw(agreement=case["agreement"], reason="Changed mind", by=navigator)
    assert client.get(url).status_code == 404


def test_a_partner_never_sees_a_document_of_someone_not_on_their_case(
    client_for, partner, navigator, team, case
):
    other = services.document_upload(
        person=PersonFactory(team=team),
        checked=pdf(),
        kind="letter",
        title="x",
        dated=timezone.localdate(),
        shareable_with_mdt=True,
        by=navigator,
    )
    assert (
        client_for(partner).get(reverse("documents:download", args=[other.pk])).status_code == 404
    )


def test_the_mdt_case_page_costs_one_query_for_its_documents(
    client_for, partner, navigator, person, case, count_queries
):
    url = reverse("mdt:case", args=[case["item"].pk])
    client = client_for(partner)
    before = count_queries.page(client, url)
    for n in range(5):
        services.document_upload(
            person=person,
            checked=pdf(),
            kind="letter",
            title=f"Letter {n}",
            dated=timezone.localdate(),
            shareable_with_mdt=True,
            by=navigator,
        )
    assert count_queries.page(client, url) == before


def test_the_person_page_costs_the_same_with_more_documents(
    navigator_client, person, document, navigator, count_queries
):
    before = count_queries.page(navigator_client, person.get_absolute_url())
    for n in range(5):
        services.document_upload(
            person=person,
            checked=pdf(),
            kind="letter",
            title=f"Letter {n}",
            dated=timezone.localdate() - timedelta(days=n),
            by=navigator,
        )
    assert count_queries.page(navigator_client, person.get_absolute_url()) == before


# --- changing and removing ---------------------------------------------------------------------


def test_a_stale_edit_is_refused(navigator_client, document, navigator):
    url = reverse("documents:edit", args=[document.pk])
    seen = current_version(document)
    services.document_edit(document=document, by=navigator, title="Renamed elsewhere")
    response = navigator_client.post(
        url,
        {"kind": "consent", "title": "Mine", "dated": document.dated.isoformat(), "version": seen},
    )
    assert response.status_code == 400
    document.refresh_from_db()
    assert document.title == "Renamed elsewhere"


def test_a_team_leader_removes_a_document_with_a_reason_and_it_stays_in_history(
    client_for, team_leader, navigator, navigator_client, document, person
):
    url = reverse("documents:remove", args=[document.pk])
    assert navigator_client.get(url).status_code == 403
    client = client_for(team_leader)
    response = client.post(url, {"reason": "", "version": current_version(document)})
    assert response.status_code == 400
    response = client.post(
        url, {"reason": "Wrong person's letter", "version": current_version(document)}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.removed_by, document.removal_reason) == (team_leader, "Wrong person's letter")
    assert (
        navigator_client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    )
    assert "Signed consent" not in navigator_client.get(person.get_absolute_url()).content.decode()
    assert document.history.count() == 2
    assert default_storage.exists(document.stored_name)


def test_documents_are_on_the_timeline(navigator_client, document, person):
    page = navigator_client.get(person.get_absolute_url() + "?show=documents").content.decode()
    assert "Signed consent" in page


# --- erasure -----------------------------------------------------------------------------------


def test_deleting_a_document_row_removes_its_file_after_the_commit(
    document, django_capture_on_commit_callbacks
):
    name = document.stored_name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Document.objects.filter(pk=document.pk).delete()
    assert default_storage.exists(name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


# --- what the pages cost -----------------------------------------------------------------------


def test_the_pages_cost_a_fixed_number_of_queries(
    navigator_client, client_for, team_leader, person, document, count_queries
):
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the person, 5 the audit
    # entry; the form's choices are read as it is drawn: 6 sharing agreements, 7 referrals,
    # 8 MDT referrals, 9 contacts, 10 the documents a new one may replace.
    upload = reverse("documents:upload", args=[person.pk])
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(navigator_client, upload) == 11
    # 1-3 as above, 4 the document with its person, 5 the audit entry.
    download = reverse("documents:download", args=[document.pk])
    with count_queries.during() as counted:
        response = navigator_client.get(download)
        b"".join(response.streaming_content)
    assert len(counted) == 5
    # 1-3, 4 the document with its person, 5 the audit entry, 6 the top bar's unread count.
    assert count_queries.page(navigator_client, reverse("documents:edit", args=[document.pk])) == 6
    remove = reverse("documents:remove", args=[document.pk])
    assert count_queries.page(client_for(team_leader), remove) == 6


def test_a_new_version_replaces_the_old_which_stays_in_history(
    navigator_client, person, document, django_capture_on_commit_callbacks
):
    page = navigator_client.get(person.get_absolute_url()).content.decode()
    new_version = reverse("documents:upload", args=[person.pk]) + f"?replaces={document.pk}"
    assert new_version in page
    form = navigator_client.get(new_version).context["form"]
    assert (form.initial["replaces"], form.initial["title"]) == (str(document.pk), document.title)
    response = navigator_client.post(
        reverse("documents:upload", args=[person.pk]),
        upload_post(replaces=str(document.pk), title="Signed consent (re-signed)"),
    )
    assert response.status_code == 302
    newer = Document.objects.get(replaces=document)
    assert list(Document.objects.current().filter(person=person)) == [newer]
    download = reverse("documents:download", args=[document.pk])
    assert navigator_client.get(download).status_code == 404
    assert newer.history.get().replaces_id == document.pk
    # Replaced once only.
    again = navigator_client.post(
        reverse("documents:upload", args=[person.pk]), upload_post(replaces=str(document.pk))
    )
    assert again.status_code == 400
    # Erasure deletes both, however they refer to each other.
    with django_capture_on_commit_callbacks(execute=True):
        Document.objects.filter(person=person).delete()
    assert not Document.objects.exists()
