"""A navigator completes an amended NDT in a real browser and sees the change from baseline.

Starts from the person page, as a navigator would; every page is checked with axe and must not
scroll sideways at 320 pixels.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Assessment, AssessmentScheme
from assessments.services import assessment_save
from smd.models import Role
from tests.browser.conftest import assert_fits_phone
from tests.browser.conftest import sign_in as browser_sign_in
from tests.factories import EpisodeFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "assessment-day-at-the-hub"


def sign_in(page, base, username):
    browser_sign_in(page, base, username, PASSWORD)


def test_navigator_completes_an_amended_ndt_and_sees_the_change(
    live_server, page, assert_accessible, screenshot, shipped_schemes
):
    team = TeamFactory(receives_public_referrals=True)
    nadia = UserFactory(
        username="nadia", first_name="Nadia", role=Role.NAVIGATOR, team=team, password=PASSWORD
    )
    person = PersonFactory(team=team, first_name="Aisha", last_name="Rahman")
    today = timezone.localdate()
    episode = EpisodeFactory(person=person, start_date=today - timedelta(days=120))
    amended = AssessmentScheme.objects.get(code="ndt-amended", is_current=True)
    # The baseline, three months ago: every item at 3.
    assessment_save(
        person=person,
        episode=episode,
        scheme=amended,
        assessed_on=today - timedelta(days=91),
        assessor=nadia,
        participation="yes",
        scores={item.key: 3 for item in amended.items.all()},
        notes={},
        complete=True,
        by=nadia,
    )

    sign_in(page, live_server.url, "nadia")
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    expect(page.get_by_text("NDT review due today")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("link", name="New NDT assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New NDT (amended)")
    expect(page.get_by_text("South West London and St George")).to_be_visible()
    assert_accessible(page)

    # Complete without scoring housing: the error names it and keeps the other answers.
    for item in amended.items.exclude(key="housing"):
        # Legends are numbered ("7. Social effectiveness"): match the number, not the title.
        group = page.get_by_role("group", name=re.compile(rf"^{item.position}\. "))
        group.get_by_role("radio", name=f"1 — {item.levels[1]}").check()
    page.get_by_label("Note on engagement with frontline services (optional)").fill(
        "Came to every appointment this month"
    )
    page.get_by_role("radio", name="Yes, they took part").check()
    page.get_by_role("button", name="Complete assessment").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#error-summary")).to_contain_text("Choose a score for Housing.")
    expect(
        page.get_by_label("Note on engagement with frontline services (optional)")
    ).to_have_value("Came to every appointment this month")
    assert_accessible(page)
    screenshot(page, "ndt-01-missing-item")

    page.get_by_role("group", name=re.compile(r"^10\. Housing")).get_by_role(
        "radio", name=re.compile(r"^2 — ")
    ).check()
    page.get_by_role("button", name="Complete assessment").click()
    expect(page.get_by_text("Assessment completed.")).to_be_visible()
    assessment = Assessment.objects.get(status="completed", assessed_on=today)
    # 13 items at 1 (two of them doubled among the standard ten, plus domestic abuse) and
    # housing at 2: standard 12 + 1 = 13; amended 17 + 1 = 18.
    assert (assessment.standard_total, assessment.total) == (13, 18)
    assert_accessible(page)

    page.get_by_role("link", name="NDT history for Aisha Rahman").click()
    expect(page.locator("figure.ndt-chart svg")).to_be_visible()
    change = page.get_by_role("table").first
    expect(change).to_contain_text("36")  # baseline standard total
    expect(change).to_contain_text("-23")  # 13 - 36
    expect(change).to_contain_text("-33")  # amended 18 - 51
    assert_accessible(page)
    screenshot(page, "ndt-02-history")


def test_change_across_scheme_versions_reads_the_same_on_every_page(
    live_server, page, assert_accessible, screenshot, shipped_schemes
):
    from assessments.services import scheme_export, scheme_import
    from tests.factories import AllocationFactory

    team = TeamFactory(receives_public_referrals=True)
    nadia = UserFactory(
        username="nadia", first_name="Nadia", role=Role.NAVIGATOR, team=team, password=PASSWORD
    )
    person = PersonFactory(team=team, first_name="Aisha", last_name="Rahman")
    today = timezone.localdate()
    episode = EpisodeFactory(person=person, start_date=today - timedelta(days=120))
    AllocationFactory(episode=episode, worker=nadia, kind="lead_navigator")
    v1 = AssessmentScheme.objects.get(code="ndt-amended", version=1)
    data = scheme_export(scheme=v1)
    data["version"] = 2
    next(i for i in data["items"] if i["key"] == "isolation")["weight"] = 2
    v2 = scheme_import(data=data, make_current=True)
    for scheme, days_ago in [(v1, 91), (v2, 1)]:
        answers = {item.key: 1 for item in scheme.items.all()} | {"isolation": 2, "housing": 3}
        assessment_save(
            person=person,
            episode=episode,
            scheme=scheme,
            assessed_on=today - timedelta(days=days_ago),
            assessor=nadia,
            participation="yes",
            scores=answers,
            notes={},
            complete=True,
            by=nadia,
        )

    sign_in(page, live_server.url, "nadia")
    page.goto(f"{live_server.url}{person.get_absolute_url()}")
    expect(page.locator(".ndt-change")).to_contain_text("amended 0 (no change)")
    assert_accessible(page)
    screenshot(page, "ndt-03-person-two-versions")

    page.goto(f"{live_server.url}/people/caseload/")
    expect(page.locator(".ndt-change")).to_contain_text("amended 0 (no change)")
    assert_accessible(page)
    screenshot(page, "ndt-04-caseload-two-versions")

    page.goto(f"{live_server.url}/people/{person.pk}/ndt/")
    change = page.get_by_role("table").first
    expect(change).to_contain_text("0–72")
    expect(change).to_contain_text("20 as scored under v1")
    expect(change).not_to_contain_text("worse")
    assert_accessible(page)
    screenshot(page, "ndt-05-history-two-versions")
