"""API tokens in a real browser: a manager makes a token for the insight hub, sees its key once,
the hub reads with it, and the manager revokes it. Every page gets the axe check and must not
scroll sideways at 320 px."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from smd.models import Role
from tests.browser.conftest import sign_in
from tests.factories import EpisodeFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "minding-the-insight-hub"


def test_a_manager_makes_a_token_sees_it_once_and_revokes_it(
    live_server, page, assert_accessible, screenshot
):
    team = TeamFactory(name="Changing Futures Navigators")
    UserFactory(username="mina", role=Role.MANAGER, team=team, password=PASSWORD)
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    EpisodeFactory(person=person)

    sign_in(page, live_server.url, "mina", PASSWORD)
    page.get_by_role("link", name="API tokens").click()
    assert_accessible(page)
    expect(page.get_by_text("No tokens yet")).to_be_visible()
    page.get_by_role("link", name="Make a token").click()
    assert_accessible(page)

    # Identifiable data without its lawful basis is refused, the typing kept.
    page.get_by_label("System").fill("Insight hub")
    page.get_by_label("Purpose").fill("outcomes-dashboard")
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    page.get_by_label("Expires on").fill(expires)
    page.get_by_role("checkbox", name="Identifiable data").check()
    page.get_by_role("button", name="Make the token").click()
    expect(page).to_have_title("Error: Make an API token — smd")
    expect(page.get_by_label("System")).to_have_value("Insight hub")
    assert_accessible(page)
    screenshot(page, "api-token-refused")

    page.get_by_role("checkbox", name="Identifiable data").uncheck()
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("heading", name="Token made for Insight hub")).to_be_visible()
    key = page.get_by_label("Key").input_value()
    assert key.startswith("smd_")
    assert_accessible(page)
    screenshot(page, "api-token-made")

    # The hub reads with it: pseudonyms, no names.
    answer = page.request.get(
        f"{live_server.url}/api/v1/people/", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status == 200
    assert "Barnes" not in answer.text()
    assert answer.json()["results"][0]["person"].startswith("PS-")

    page.get_by_role("link", name="Done: back to API tokens").click()
    assert key not in page.content()
    expect(page.get_by_text("Pseudonymised")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "api-tokens")
    page.get_by_role("button", name="Revoke the token for Insight hub").click()
    expect(page.get_by_text("The token for Insight hub was revoked")).to_be_visible()
    expect(page.get_by_text("Revoked", exact=False).first).to_be_visible()
    assert_accessible(page)
    answer = page.request.get(
        f"{live_server.url}/api/v1/people/", headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status == 401


def test_the_api_description_page_is_served_by_the_app(
    live_server, page, assert_accessible, screenshot
):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_role("heading", name="GET /api/v1/people/", exact=True)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "api-docs")
