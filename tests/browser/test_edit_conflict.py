"""Two editors in real browsers: the second save from an older page is refused with both
versions shown, the typing kept; the page fits a phone and passes axe."""

import pytest
from playwright.sync_api import expect

from caseload.models import Person
from smd.models import Role
from tests.browser.conftest import close_page, open_page, sign_in
from tests.factories import PersonFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "two-people-one-record"


def test_the_second_editor_sees_both_versions_and_keeps_their_typing(
    live_server, page, chromium_browser, assert_accessible, screenshot
):
    team = TeamFactory()
    for name in ("alice", "bob"):
        UserFactory(username=name, role=Role.NAVIGATOR, team=team, password=PASSWORD)
    person = PersonFactory(
        team=team, first_name="Margaret", last_name="Kelly", phone="07700 900001"
    )
    edit = f"{live_server.url}/people/{person.pk}/edit/"
    # Alice's browser is a second tracked page: its pages are held to the same checks.
    alice = open_page(chromium_browser)
    sign_in(alice, live_server.url, "alice", PASSWORD)
    sign_in(page, live_server.url, "bob", PASSWORD)
    alice.goto(edit)
    assert_accessible(alice)
    page.goto(edit)
    assert_accessible(page)

    alice.get_by_label("Phone (optional)").fill("07700 900999")
    alice.get_by_role("button", name="Save").click()
    expect(alice.get_by_text("Record updated.")).to_be_visible()
    assert_accessible(alice)
    close_page(alice)

    notes = "Text first; she does not answer withheld numbers and works nights at the depot."
    page.get_by_label("How to reach them safely").fill(notes)
    page.get_by_label("Overdose risk").check()
    page.get_by_role("button", name="Save").click()

    conflict = page.get_by_role("region", name="Someone else saved this record since you opened it")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_role("row", name="Phone")).to_contain_text("07700 900999")
    expect(page.get_by_label("How to reach them safely")).to_have_value(notes)
    assert Person.objects.get(pk=person.pk).contact_notes == ""
    assert_accessible(page)
    screenshot(page, "edit-conflict")

    # Saving again is his choice, made with Alice's number in front of him: he copies it in.
    page.get_by_label("Phone (optional)").fill("07700 900999")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Record updated.")).to_be_visible()
    assert_accessible(page)
    saved = Person.objects.get(pk=person.pk)
    assert (saved.phone, saved.contact_notes) == ("07700 900999", notes)
