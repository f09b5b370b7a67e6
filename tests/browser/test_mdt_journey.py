"""The chair runs an MDT from the live screen in a real browser, and the action reaches its owner.

Notes autosave as the chair types (htmx); every page is checked with axe.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mdt import services
from mdt.models import Action, AgendaItem, MdtMeeting, MdtReferral
from smd.models import Role
from tests.browser.conftest import assert_fits_phone, close_page, open_page
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

PASSWORD = "fortnightly-mdt-at-the-civic-centre"


def sign_in(page, base, username):
    browser_sign_in(page, base, username, PASSWORD)


def test_chair_runs_a_meeting_and_the_action_reaches_its_owner(
    live_server, page, assert_accessible, screenshot
):
    team = TeamFactory(receives_public_referrals=True)
    chair = UserFactory(
        username="charles",
        first_name="Charles",
        last_name="Mensah",
        role=Role.MDT_CHAIR,
        team=team,
        password=PASSWORD,
    )
    probation = OrganisationFactory(name="Northgate Probation", sector="probation")
    priya = UserFactory(
        username="priya",
        first_name="Priya",
        last_name="Shah",
        role=Role.MDT_MEMBER,
        team=None,
        organisation=probation,
        password=PASSWORD,
    )
    # In the team but not at the meeting: chosen by typing her name.
    UserFactory(
        username="zoe", first_name="Zoe", last_name="Okafor", role=Role.NAVIGATOR, team=team
    )
    meeting = services.meeting_create(
        meeting=MdtMeeting(
            team=team, starts_at=timezone.now() + timedelta(minutes=5), place="Room 4", chair=chair
        ),
        organisations=[probation],
        members=[priya],
    )
    dsa_for_mdt(team.organisation, probation, by=chair)
    for first, last in [("Lee", "Barnes"), ("Aisha", "Rahman")]:
        person = PersonFactory(team=team, first_name=first, last_name=last)
        EpisodeFactory(person=person)
        share_for_mdt(person, probation, by=chair)
        referral = MdtReferral.objects.create(
            person=person,
            source="navigator",
            referring_organisation=team.organisation,
            referred_by=chair,
            why_now="Risk rising",
            tried="Hostel",
            asked_of_partners="Joint plan",
            sharing_basis="agreed",
        )
        services.agenda_add(meeting=meeting, person=person, mdt_referral=referral)

    sign_in(page, live_server.url, "charles")
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_role("group", name=re.compile("Priya Shah")).get_by_label("Present").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("button", name="Start the meeting").click()

    # Case 1: notes save as the chair types, then an action for Priya.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lee Barnes")
    assert_accessible(page)
    page.get_by_label("Discussion notes").fill(
        "Lee is sleeping at a friend's; probation appointments clash."
    )
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=8000)
    page.get_by_role("textbox", name="Action", exact=True).fill(
        "Move Lee's probation appointment to Tuesdays"
    )
    page.get_by_role("combobox", name="Owner", exact=True).select_option(
        label="Priya Shah (Northgate Probation)"
    )
    page.get_by_label("Due").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Add action").click()
    expect(page.locator("#actions")).to_contain_text("Move Lee's probation appointment to Tuesdays")
    screenshot(page, "mdt-01-live")

    # Case 2
    page.get_by_role("link", name=re.compile("Next: Aisha Rahman")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aisha Rahman")
    assert_fits_phone(page)
    page.get_by_label("Discussion notes").fill(
        "Aisha wants a women-only space; refuge place offered."
    )
    page.get_by_label("Outcome for this meeting").select_option(label="Resolved: support in place")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Notes saved.")).to_be_visible()
    assert_fits_phone(page)

    # An owner who is not at the meeting: typed, with the type-ahead offering the match.
    page.get_by_role("textbox", name="Action", exact=True).fill("Book a viewing at the refuge")
    page.get_by_role("combobox", name=re.compile("Or someone else")).press_sequentially("zoe ok")
    expect(page.locator("#owner-matches option")).to_have_count(1)
    choice = page.locator("#owner-matches option").get_attribute("value")
    assert choice.startswith("Zoe Okafor") and choice.endswith("[zoe]")
    page.get_by_role("combobox", name=re.compile("Or someone else")).fill(choice)
    page.get_by_label("Due").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Add action").click()
    expect(page.locator("#actions")).to_contain_text("Book a viewing at the refuge")
    expect(page.locator("#actions")).to_contain_text("Zoe Okafor")
    assert_accessible(page)
    screenshot(page, "mdt-01b-live-someone-else")
    # Without JavaScript the same address is a page to look a name up.
    page.goto(f"{live_server.url}/mdt/{meeting.pk}/owners/?owner_name=zoe")
    expect(page.get_by_text("Zoe Okafor (", exact=False)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "mdt-01c-owners-page")
    page.go_back()
    assert_fits_phone(page)

    page.get_by_role("button", name="Finish meeting and write minutes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Minutes")
    expect(page.get_by_text("Move Lee's probation appointment to Tuesdays").first).to_be_visible()
    assert_accessible(page)
    meeting.refresh_from_db()
    assert meeting.status == "held"
    notes = dict(AgendaItem.objects.values_list("person__first_name", "notes"))
    assert notes["Lee"].startswith("Lee is sleeping") and notes["Aisha"].startswith("Aisha wants")

    # Priya, the owner, sees it on "My MDT actions" and marks it done in one click.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert_fits_phone(page)
    sign_in(page, live_server.url, "priya")
    page.goto(f"{live_server.url}/mdt/actions/")
    expect(
        page.get_by_text("Move Lee's probation appointment to Tuesdays", exact=True)
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name=re.compile("Progress note")).fill(
        "Spoke to the offender manager"
    )
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Progress: Spoke to the offender manager")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("button", name=re.compile("Mark done")).click()
    expect(page.get_by_text(re.compile("Done"))).to_be_visible()
    assert_fits_phone(page)
    assert Action.objects.get(owner__username="priya").done_at is not None


def test_two_editors_on_the_live_screen_lose_neither_text(
    live_server, chromium_browser, assert_accessible, screenshot
):
    """Charles and Tara both type notes on the same case. Tara is warned when Charles saves
    first; typing on does not save over him, and merging stores both texts."""
    team = TeamFactory(receives_public_referrals=True)
    chair = UserFactory(
        username="charles", first_name="Charles", role=Role.MDT_CHAIR, team=team, password=PASSWORD
    )
    UserFactory(
        username="tara", first_name="Tara", role=Role.TEAM_LEADER, team=team, password=PASSWORD
    )
    probation = OrganisationFactory(name="Northgate Probation", sector="probation")
    meeting = services.meeting_create(
        meeting=MdtMeeting(team=team, starts_at=timezone.now(), place="Room 4", chair=chair),
        organisations=[probation],
        members=[],
    )
    dsa_for_mdt(team.organisation, probation, by=chair)
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    EpisodeFactory(person=person)
    share_for_mdt(person, probation, by=chair)
    referral = MdtReferral.objects.create(
        person=person,
        source="navigator",
        referring_organisation=team.organisation,
        referred_by=chair,
        why_now="Risk rising",
        tried="Hostel",
        asked_of_partners="Joint plan",
        sharing_basis="agreed",
    )
    item = services.agenda_add(meeting=meeting, person=person, mdt_referral=referral)
    services.meeting_start(meeting=meeting)
    live = f"{live_server.url}/mdt/{meeting.pk}/live/"

    charles, tara = open_page(chromium_browser), open_page(chromium_browser)
    try:
        for page, username in [(charles, "charles"), (tara, "tara")]:
            sign_in(page, live_server.url, username)
            page.goto(live)
            expect(page.get_by_role("heading", level=1)).to_contain_text("Lee Barnes")
            assert_accessible(page)

        charles.get_by_label("Discussion notes").fill("Charles: housing first agreed.")
        expect(charles.locator("#save-status")).to_contain_text("Saved at", timeout=8000)

        notes = tara.get_by_label("Discussion notes")
        notes.fill("Tara: GP review")
        warning = tara.locator("#save-status")
        expect(warning).to_contain_text("Not saved: Charles", timeout=8000)
        expect(warning).to_contain_text("Charles: housing first agreed.")

        # Tara types on, past the autosave delay: nothing she sends may replace his text.
        saves = []
        tara.on(
            "request",
            lambda request: saves.append(request) if "/notes/" in request.url else None,
        )
        notes.press("Control+End")
        notes.press_sequentially(" next week, then back to the MDT.")
        tara.wait_for_timeout(4000)
        expect(warning).to_contain_text("Autosave is paused")
        item.refresh_from_db()
        assert item.notes == "Charles: housing first agreed." and item.version == 1
        assert saves == []
        assert_accessible(tara)
        screenshot(tara, "mdt-02-live-conflict")

        tara.get_by_role("button", name="Merge their notes into mine").click()
        expect(tara.locator("#save-status")).to_contain_text("Merged")
        expect(notes).to_have_value(
            "Charles: housing first agreed.\n\nTara: GP review next week, then back to the MDT."
        )
        expect(notes).to_be_focused()
        item.refresh_from_db()
        assert "Charles: housing first agreed." in item.notes
        assert "Tara: GP review next week, then back to the MDT." in item.notes
        assert_accessible(tara)
        screenshot(tara, "mdt-03-live-merged")

        # Autosave is back on, from the merged version.
        notes.press("Control+End")
        notes.press_sequentially(" Probation to call.")
        expect(tara.locator("#save-status")).to_contain_text("Saved at", timeout=8000)
        item.refresh_from_db()
        assert item.notes.startswith("Charles: housing first agreed.")
        assert item.notes.endswith(
            "Tara: GP review next week, then back to the MDT. Probation to call."
        )

        # Charles's screen still holds the version from before the merge. He presses Save
        # straight away: the page that comes back shows both texts, the box holding them merged
        # (his longer line in place of the one it grew from).
        charles.get_by_label("Discussion notes").fill(
            "Charles: housing first agreed. Hostel place on Friday."
        )
        charles.get_by_role("button", name="Save", exact=True).click()
        expect(charles.get_by_role("heading", level=1)).to_have_text("Notes not saved")
        expect(charles.get_by_label("Discussion notes")).to_have_value(
            "Charles: housing first agreed. Hostel place on Friday.\n\n"
            "Tara: GP review next week, then back to the MDT. Probation to call."
        )
        assert_accessible(charles)
        screenshot(charles, "mdt-04-notes-conflict-without-javascript")
        charles.get_by_role("button", name="Save merged notes").click()
        expect(charles.get_by_text("Notes saved.")).to_be_visible()
        assert_fits_phone(charles)
        item.refresh_from_db()
        assert "Probation to call." in item.notes and "Hostel place on Friday." in item.notes
    finally:
        close_page(charles)
        close_page(tara)
