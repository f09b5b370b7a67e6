"""A manager makes the evaluation extract from the returns page, watches it become ready and
downloads it; a failed one is tried again. Axe-checked and no sideways scroll at 320 px."""

from datetime import date

import pytest
from playwright.sync_api import expect

from caseload.models import Person
from returns.extract.models import EvaluationExtract
from smd.models import Role
from tests.browser.conftest import sign_in
from tests.factories import EpisodeFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "figures-for-the-evaluators-on-time"


def test_a_manager_makes_and_downloads_the_extract(
    live_server, page, assert_accessible, screenshot, tmp_path
):
    team = TeamFactory(name="Changing Futures Navigators")
    UserFactory(username="maureen", role=Role.MANAGER, team=team, password=PASSWORD)
    manager = UserFactory(role=Role.MANAGER, team=team)
    for first_name in ("Winifred", "Aurelio"):
        EpisodeFactory(
            person=PersonFactory(team=team, first_name=first_name), start_date=date(2020, 1, 1)
        )
    failed = EvaluationExtract.objects.create(
        team=team,
        quarter="2025/26 Q3",
        requested_by=manager,
        status="failed",
        error="The build stopped 5 times.",
        attempts=5,
    )

    sign_in(page, live_server.url, "maureen", PASSWORD)
    page.goto(f"{live_server.url}/returns/")
    assert_accessible(page)
    page.get_by_role("link", name="Evaluation extract").click()
    expect(page.get_by_role("heading", name="Evaluation extract")).to_be_visible()
    expect(page.locator(f"#extract-{failed.pk}")).to_contain_text("Failed: The build stopped")
    page.get_by_text("What each column holds (format 1)").click()
    expect(page.get_by_text("pseudonymised: the same person")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "extract-01-page")

    # Without Redis the build runs in-process, so it is ready by the time the page is back.
    page.get_by_role("button", name="Make the extract").click()
    expect(page.get_by_text("is queued to be built")).to_be_visible()
    made = EvaluationExtract.objects.exclude(pk=failed.pk).get()
    row = page.locator(f"#extract-{made.pk}")
    expect(row).to_contain_text("Ready")
    expect(row).to_contain_text("2 people, format 1.")
    assert_accessible(page)
    screenshot(page, "extract-02-ready")

    with page.expect_download() as download:
        row.get_by_role("link", name="CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text()
    assert text.startswith("format_version,quarter,pseudonym,")
    assert len(text.splitlines()) == 3
    for person in Person.objects.all():
        assert person.first_name not in text and person.last_name not in text

    page.get_by_role("button", name="Try again to build the 2025/26 Q3 evaluation extract").click()
    expect(page.get_by_text("is queued to be built again")).to_be_visible()
    expect(page.locator(f"#extract-{failed.pk}")).to_contain_text("Ready")
    assert_accessible(page)
