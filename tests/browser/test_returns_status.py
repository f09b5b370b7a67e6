"""The returns page tells a manager honestly where each version is: queued (and why, when it
has waited long), being built, retrying, ready, or failed with a button to try again. Axe-checked
and no sideways scroll at 320 px."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from returns.models import QuarterlyReturn
from smd.models import Role
from tests.browser.conftest import sign_in
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "figures-for-the-funders-on-time"


def test_a_manager_sees_each_versions_state_and_retries_a_failed_one(
    live_server, page, assert_accessible, screenshot
):
    team = TeamFactory(name="Changing Futures Navigators")
    UserFactory(username="maureen", role=Role.MANAGER, team=team, password=PASSWORD)
    now = timezone.now()

    def version(n, **fields):
        return QuarterlyReturn.objects.create(team=team, quarter="2025/26 Q3", version=n, **fields)

    failed = version(1, status="failed", error="The build stopped 5 times.", attempts=5)
    retrying = version(
        2, status="retrying", error="The build stopped part-way; it is being started again."
    )
    running = version(3, status="running", started_at=now, attempts=2)
    queued = version(4)
    QuarterlyReturn.objects.filter(pk=queued.pk).update(created_at=now - timedelta(minutes=5))

    sign_in(page, live_server.url, "maureen", PASSWORD)
    page.goto(f"{live_server.url}/returns/")

    def row(qr):
        return page.locator(f"#return-{qr.pk}")

    expect(row(queued)).to_contain_text("Still waiting")
    expect(row(running)).to_contain_text("Being built… Started")
    expect(row(running)).to_contain_text("(attempt 2)")
    expect(row(retrying)).to_contain_text("Retrying… The build stopped part-way")
    expect(row(failed)).to_contain_text("Failed: The build stopped 5 times.")
    assert_accessible(page)
    screenshot(page, "returns-01-states")

    page.get_by_role("button", name="Try again to build 2025/26 Q3 return, version 1").click()
    expect(page.get_by_text("is queued to be built again")).to_be_visible()
    # Without Redis the build runs in-process, so it is ready by the time the page is back.
    expect(row(failed)).to_contain_text("Ready")
    assert_accessible(page)
    screenshot(page, "returns-02-retried")
