"""Documents in a real browser: a navigator on a phone uploads a signed consent form to a
person, marked shareable with the MDT; the invited partner opens it from the MDT case. Every page
gets the axe check and must not scroll sideways at 320 px."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import Document
from mdt.models import MdtMeeting, MdtReferral
from mdt.services import agenda_add, agenda_share, meeting_create
from smd.models import Role
from tests.browser.conftest import close_page, open_page
from tests.browser.conftest import sign_in as browser_sign_in
from tests.factories import (
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    dsa_for_mdt,
    share_for_mdt,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "signed-at-the-day-centre"
PHONE = {"width": 360, "height": 740}
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def test_upload_on_a_phone_then_a_partner_opens_it_at_the_mdt(
    live_server, chromium_browser, assert_accessible, screenshot
):
    team = TeamFactory(name="Changing Futures Navigators")
    navigator = UserFactory(username="nadia", role=Role.NAVIGATOR, team=team, password=PASSWORD)
    probation = OrganisationFactory(name="Northgate Probation", sector="probation")
    UserFactory(
        username="priya",
        role=Role.MDT_MEMBER,
        team=None,
        organisation=probation,
        password=PASSWORD,
    )
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    EpisodeFactory(person=person)
    dsa_for_mdt(team.organisation, probation, by=UserFactory(role=Role.MANAGER, team=team))
    share_for_mdt(person, probation, by=navigator)
    meeting = meeting_create(
        meeting=MdtMeeting(
            team=team,
            starts_at=timezone.now() + timedelta(days=2),
            place="Room 4",
            chair=UserFactory(role=Role.MDT_CHAIR, team=team),
        ),
        organisations=[probation],
        members=[],
    )
    referral = MdtReferral.objects.create(
        person=person,
        source="navigator",
        referring_organisation=team.organisation,
        referred_by=navigator,
        why_now="Evicted twice this year",
        tried="Hostels",
        asked_of_partners="Align appointments",
        sharing_basis="agreed",
    )
    item = agenda_add(meeting=meeting, person=person, mdt_referral=referral)
    agenda_share(meeting=meeting)

    phone = open_page(chromium_browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        browser_sign_in(phone, live_server.url, "nadia", PASSWORD)
        phone.goto(f"{live_server.url}{person.get_absolute_url()}")
        assert_accessible(phone)
        phone.get_by_role("link", name="Upload a document").click()
        expect(phone.get_by_label("File")).to_have_attribute(
            "accept", ".pdf,.jpg,.jpeg,.png,.docx,application/pdf,image/jpeg,image/png"
        )
        assert_accessible(phone)
        # Sent without a file: the error is on the field and what was typed stays.
        phone.get_by_label("Title").fill("Signed consent")
        phone.get_by_role("button", name="Upload").click()
        expect(phone.get_by_text("Choose the file to upload.").first).to_be_visible()
        expect(phone.get_by_label("Title")).to_have_value("Signed consent")
        assert_accessible(phone)
        screenshot(phone, "documents-upload-refused")
        phone.get_by_label("File").set_input_files(
            {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        phone.get_by_label("What it is").select_option("consent")
        phone.get_by_label("Date on the document").fill(timezone.localdate().isoformat())
        phone.get_by_label("Partners at the MDT may see it").check()
        phone.get_by_role("button", name="Upload").click()
        expect(phone.get_by_text("Document uploaded.")).to_be_visible()
        expect(phone.locator("#documents")).to_contain_text("Signed consent")
        assert_accessible(phone)
        phone.locator("#documents").scroll_into_view_if_needed()
        screenshot(phone, "documents-person-page")
    finally:
        close_page(phone)
    document = Document.objects.get()
    assert document.shareable_with_mdt

    page = open_page(chromium_browser)
    try:
        browser_sign_in(page, live_server.url, "priya", PASSWORD)
        page.goto(f"{live_server.url}{item.get_absolute_url()}")
        link = page.get_by_role("link", name="Signed consent")
        expect(link).to_be_visible()
        assert_accessible(page)
        screenshot(page, "documents-mdt-case")
        response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
        assert response.status == 200
        assert response.body() == PDF
        assert response.headers["x-content-type-options"] == "nosniff"
    finally:
        close_page(page)


def test_a_team_leader_changes_then_removes_a_document(
    live_server, chromium_browser, assert_accessible, screenshot
):
    """The edit and remove pages: readable at 320 px, accessible, and each does its job."""
    team = TeamFactory(name="Changing Futures Navigators")
    leader = UserFactory(username="tariq", role=Role.TEAM_LEADER, team=team, password=PASSWORD)
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    EpisodeFactory(person=person)
    document = Document.objects.create(
        person=person,
        kind="letter",
        title="Letter from the council",
        dated=timezone.localdate(),
        stored_name="documents/journey.pdf",
        content_type="application/pdf",
        extension=".pdf",
        size=len(PDF),
        inline=True,
        uploaded_by=leader,
    )

    page = open_page(chromium_browser)
    try:
        browser_sign_in(page, live_server.url, "tariq", PASSWORD)
        page.goto(f"{live_server.url}{reverse('documents:edit', args=[document.pk])}")
        assert_accessible(page)
        screenshot(page, "documents-edit")
        page.get_by_label("Title").fill("Housing benefit letter")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#documents")).to_contain_text("Housing benefit letter")
        assert_accessible(page)

        page.goto(f"{live_server.url}{reverse('documents:remove', args=[document.pk])}")
        assert_accessible(page)
        screenshot(page, "documents-remove")
        page.get_by_label("Why it is being removed").fill("Uploaded to the wrong person")
        page.get_by_role("button", name="Remove document").click()
        expect(page.locator("#documents")).not_to_contain_text("Housing benefit letter")
        assert_accessible(page)
    finally:
        close_page(page)
    document.refresh_from_db()
    assert document.removal_reason == "Uploaded to the wrong person"
