"""Domestic abuse in a real browser, on a phone: a navigator completes a DASH checklist (the
shipped fictional wording) that comes out high, is taken straight to the MARAC referral, records
it and an action the MARAC agreed, and finds the action on My caseload, where it is marked done.
Every page gets the axe check and must not scroll sideways at 320 px."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from caseload.models import Allocation
from domestic_abuse.models import DashChecklist, MaracAction, MaracReferral
from domestic_abuse.services import definition_import
from mdt.models import MdtMeeting, MdtReferral
from mdt.services import agenda_add, meeting_create
from smd.models import Role
from tests.browser.conftest import close_page, open_page
from tests.browser.conftest import sign_in as browser_sign_in
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
    dsa_for_mdt,
    marac_records,
    share_for_mdt,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-safe-place-to-talk"
PHONE = {"width": 360, "height": 740}
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dash-FICTIONAL-example.json"


def test_checklist_high_marac_referral_and_its_action_on_my_caseload(
    live_server, chromium_browser, assert_accessible, screenshot
):
    team = TeamFactory(name="Changing Futures Navigators")
    navigator = UserFactory(
        username="nadia", first_name="Nadia", role=Role.NAVIGATOR, team=team, password=PASSWORD
    )
    person = PersonFactory(
        team=team,
        first_name="Dana",
        last_name="Hale",
        phone="07700 900321",
        safe_to_text="no",
        abuser_may_be_present="yes",
        code_word="Bluebell",
    )
    AllocationFactory(
        episode=EpisodeFactory(person=person),
        worker=navigator,
        kind=Allocation.Kind.LEAD_NAVIGATOR,
    )
    definition_import(data=json.loads(EXAMPLE.read_text(encoding="utf-8")))

    phone = open_page(chromium_browser, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        browser_sign_in(phone, live_server.url, "nadia", PASSWORD)
        expect(phone.locator(".safe-contact-badge")).to_contain_text(
            "no texts; the abuser may be present"
        )
        phone.goto(f"{live_server.url}{person.get_absolute_url()}")
        assert_accessible(phone)
        screenshot(phone, "da-person-page-before")
        phone.get_by_role("link", name="New DASH checklist").click()
        expect(phone.locator(".dash-acknowledgement")).to_contain_text("FICTIONAL EXAMPLE")
        assert_accessible(phone)
        # Fourteen yes, the rest no: visible high risk.
        for n in range(1, 25):
            phone.locator(f"#id_q_q{n:02d}_{0 if n <= 14 else 1}").check()
        phone.get_by_label("Note on question 3 (optional)").fill("Said it has got worse since May")
        screenshot(phone, "da-checklist-form")
        phone.get_by_role("button", name="Save the checklist").click()

        # Straight on to the MARAC referral, the criterion already ticked.
        expect(phone.get_by_text("DASH checklist recorded: 14 yes, high risk.")).to_be_visible()
        expect(phone.get_by_role("heading", name="Refer to MARAC: Dana Hale")).to_be_visible()
        expect(phone.get_by_label("Visible high risk (14 or more yes)")).to_be_checked()
        assert_accessible(phone)
        phone.get_by_label("The person agreed").check()
        screenshot(phone, "da-marac-referral")
        phone.get_by_role("button", name="Record the referral").click()
        expect(phone.get_by_text("MARAC referral recorded.")).to_be_visible()
        assert_accessible(phone)

        # What the MARAC agreed: an action for Nadia, due in a week.
        phone.get_by_role("link", name="Add an action").click()
        assert_accessible(phone)
        phone.get_by_label("Action the MARAC agreed").fill("Ask the police for a marker")
        phone.get_by_label("Owner").select_option(label="Nadia " + navigator.last_name)
        phone.get_by_label("Due").fill((timezone.localdate() + timedelta(days=7)).isoformat())
        phone.get_by_role("button", name="Add the action").click()
        expect(phone.get_by_text("MARAC action added.")).to_be_visible()
        assert_accessible(phone)
        screenshot(phone, "da-overview")

        # On My caseload: the action, the high-risk badge and the safe-contact badge.
        phone.get_by_role("link", name="My caseload").first.click()
        actions = phone.locator("#my-marac-h").locator("..")
        expect(actions).to_contain_text("Ask the police for a marker")
        expect(phone.get_by_text("Domestic abuse: high risk")).to_be_visible()
        assert_accessible(phone)
        screenshot(phone, "da-my-caseload")
        actions.get_by_role("button", name="Mark done").click()
        expect(phone.get_by_text("MARAC action updated.")).to_be_visible()
        expect(phone.locator("#my-marac-h")).to_have_count(0)
        assert_accessible(phone)
    finally:
        close_page(phone)
    checklist = DashChecklist.objects.get()
    assert (checklist.yes_count, checklist.risk_level) == (14, "high")
    assert checklist.answers.get(question__key="q03").note == "Said it has got worse since May"
    assert MaracReferral.objects.get().criteria == ["visible_high_risk"]
    assert MaracAction.objects.get().is_done


def test_the_mdt_case_and_live_screen_show_risk_marac_and_safe_contact(
    live_server, chromium_browser, assert_accessible, screenshot
):
    team = TeamFactory(name="Changing Futures Navigators")
    chair = UserFactory(username="chris", role=Role.MDT_CHAIR, team=team, password=PASSWORD)
    navigator = UserFactory(role=Role.NAVIGATOR, team=team)
    probation = OrganisationFactory(name="Northgate Probation", sector="probation")
    person = PersonFactory(
        team=team, first_name="Dana", last_name="Hale", safe_to_visit="no", code_word="Bluebell"
    )
    EpisodeFactory(person=person)
    dsa_for_mdt(team.organisation, probation, by=UserFactory(role=Role.MANAGER, team=team))
    share_for_mdt(person, probation, by=navigator)
    records = marac_records(person, by=navigator, owner=navigator)
    meeting = meeting_create(
        meeting=MdtMeeting(
            team=team, starts_at=timezone.now() + timedelta(days=2), place="Room 4", chair=chair
        ),
        organisations=[probation],
        members=[],
    )
    referral = MdtReferral.objects.create(
        person=person,
        source="navigator",
        referring_organisation=team.organisation,
        referred_by=navigator,
        why_now="Threats from her ex-partner",
        tried="Refuge referral",
        asked_of_partners="Police marker",
        sharing_basis="agreed",
    )
    item = agenda_add(meeting=meeting, person=person, mdt_referral=referral)

    page = open_page(chromium_browser)
    try:
        browser_sign_in(page, live_server.url, "chris", PASSWORD)
        page.goto(f"{live_server.url}{item.get_absolute_url()}")
        expect(page.locator("#case-da-h").locator("..")).to_contain_text(
            f"referred to City MARAC {records['marac'].referred_on:%-d %b %Y}"
        )
        expect(page.locator(".safe-contact-badge")).to_contain_text("no home visits")
        assert_accessible(page)
        screenshot(page, "da-mdt-case")
        page.goto(f"{live_server.url}{reverse('mdt:live', args=[meeting.pk])}?case={item.pk}")
        expect(page.locator("#case-da-h").locator("..")).to_contain_text("Risk: High")
        assert_accessible(page)
    finally:
        close_page(page)
