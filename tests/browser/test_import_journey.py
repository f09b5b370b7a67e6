"""Importing records in a real browser: a manager sends the example workbook, reads the dry run,
imports it, and decides about the incoming person held as maybe someone already on the record.
Every page gets the axe check and must not scroll sideways at 320 px."""

import pytest
from playwright.sync_api import expect

from assessments.services import shipped_schemes_load
from caseload.models import Contact, Person
from importer.models import HeldPerson
from smd.models import Role
from tests.browser.conftest import close_page, open_page
from tests.browser.conftest import sign_in as browser_sign_in
from tests.factories import PersonFactory, TeamFactory, UserFactory
from tests.importer.conftest import EXAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "years-of-records-to-bring"


def test_a_manager_checks_then_imports_the_example_workbook(
    live_server, chromium_browser, assert_accessible, screenshot
):
    shipped_schemes_load()
    team = TeamFactory(name="Changing Futures Navigators")
    UserFactory(username="mira", role=Role.MANAGER, team=team, password=PASSWORD)
    UserFactory(username="navigator", role=Role.NAVIGATOR, team=team)
    # Already on the record: the file's Morgan Ashdown, born the same day, is held for a decision.
    morgan = PersonFactory(
        team=team, first_name="Morgan", last_name="Ashdown", date_of_birth="1984-03-12"
    )

    page = open_page(chromium_browser)
    try:
        browser_sign_in(page, live_server.url, "mira", PASSWORD)
        page.get_by_role("link", name="Import records").click()
        assert_accessible(page)
        # Sent without a file: a clear error, the source kept.
        page.get_by_label("Source system").fill("Old CRM")
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_text("Choose the file to import.").first).to_be_visible()
        expect(page.get_by_label("Source system")).to_have_value("Old CRM")
        assert_accessible(page)

        page.get_by_label("File").set_input_files(str(EXAMPLES / "records.xlsx"))
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_text("Every row is ready to import")).to_be_visible()
        expect(page.get_by_role("row", name="Contacts 3 1 0 2")).to_be_visible()
        assert not Person.objects.exclude(pk=morgan.pk).exists()
        assert_accessible(page)
        screenshot(page, "import-checked")

        page.get_by_role("button", name="Import these records").click()
        expect(page.get_by_text("Imported", exact=True)).to_be_visible()
        assert_accessible(page)
        assert Contact.objects.count() == 1
        screenshot(page, "import-done")

        page.get_by_role("link", name="held people").click()
        expect(page.get_by_text("Match:")).to_be_visible()
        assert_accessible(page)
        screenshot(page, "import-held")
        page.get_by_role("button", name="Same person: link").click()
        expect(page.get_by_text("No one is held.")).to_be_visible()
        assert HeldPerson.objects.get().decision == "linked"
        assert_accessible(page)
    finally:
        close_page(page)
