"""The referral journey in a real browser: a partner refers on the public form, a team leader
triages it, links it to the person the team already knows and accepts it.

Every page on the way is checked with axe and screenshotted at 1280 and 320 pixels wide
(test-artifacts/), and must not scroll sideways on a phone.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from caseload.models import EpisodeStatus
from referrals.models import Referral
from smd.models import Role, Sector
from tests.browser.conftest import assert_fits_phone, give_code, with_app
from tests.factories import OrganisationFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "triage-on-a-tuesday-morning"


def fill_about_the_person(page, *, first_name, last_name, date_of_birth):
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("Date of birth").fill(date_of_birth.isoformat())
    page.get_by_label("How can we contact them safely?").fill(
        "At the Northgate day centre most mornings. Not safe to text."
    )


def tick_disadvantages(page, *labels):
    for label in labels:
        # exact: each disadvantage also has a "<label>: anything to add" note field.
        page.get_by_label(label, exact=True).check()


def fill_the_referral(page, *, organisation):
    page.get_by_label("Why now, and what does the person want?").fill(
        "Lost her hostel place last month and is sleeping rough. She wants somewhere safe."
    )
    page.get_by_role("radio", name="Yes, they agreed to this referral").check()
    page.get_by_label("Who is making this referral?").select_option(label=organisation)
    page.get_by_label("Your name").fill("Sam Taylor")
    page.get_by_label("Your phone number or email").fill("sam.taylor@example.org")


def assert_error_links_reach_their_fields(page):
    # Each error in the summary is a link to its field; "#" (a radio group) would go nowhere.
    for link in page.locator("#error-summary a").all():
        target = link.get_attribute("href")
        assert target != "#" and page.locator(target).count() == 1, f"{target} leads nowhere"


def test_partner_refers_and_team_leader_accepts(live_server, page, assert_accessible, screenshot):
    team = TeamFactory(name="Changing Futures Navigators", receives_public_referrals=True)
    OrganisationFactory(name="Northgate Probation", sector=Sector.PROBATION)
    UserFactory(
        username="tara", first_name="Tara", role=Role.TEAM_LEADER, team=team, password=PASSWORD
    )
    # The team already knows her as Peggy, with day and month of birth the other way round:
    # the kind of near-miss the possible-match list exists to catch.
    known = PersonFactory(
        team=team,
        first_name="Margaret",
        last_name="Okafor",
        known_as="Peggy",
        date_of_birth=date(1979, 3, 7),
    )

    # --- A partner refers, first forgetting everything, then properly ---------------------
    page.goto(f"{live_server.url}/refer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer someone for support")
    assert_accessible(page)
    screenshot(page, "01-referral-form")

    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))
    # Keyboard and screen-reader users start at the list of problems.
    expect(page.locator("#error-summary")).to_be_focused()
    assert_error_links_reach_their_fields(page)
    assert_accessible(page)
    screenshot(page, "02-referral-form-errors")

    fill_about_the_person(
        page, first_name="Peggy", last_name="Okafor", date_of_birth=date(1979, 7, 3)
    )
    tick_disadvantages(page, "Homelessness", "Mental ill-health", "Substance misuse")
    fill_the_referral(page, organisation="Northgate Probation")
    page.get_by_role("button", name="Send referral").click()

    expect(page).to_have_url(f"{live_server.url}/refer/thank-you/")
    reference = page.get_by_role("status").locator("strong").inner_text()
    assert re.fullmatch(r"R-[2-9A-HJKMNP-Z]{6}", reference)
    # Anyone at the referrer's screen could read this page: it must not name the person.
    assert "Okafor" not in page.content() and "Peggy" not in page.content()
    assert_accessible(page)
    screenshot(page, "03-referral-sent")

    # --- The team leader signs in and finds it in the queue ------------------------------
    with_app("tara")
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    screenshot(page, "04-sign-in")
    page.get_by_label("Username").fill("tara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page)
    screenshot(page, "04-sign-in-code")
    give_code(page, "tara")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Tara")

    page.get_by_role("link", name="Open the triage queue").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("3 of 5 — eligible")
    expect(row).to_contain_text("Northgate Probation")
    assert_accessible(page)
    screenshot(page, "05-triage-queue")

    # --- ...links it to the person the team already knows, and accepts it ----------------
    row.get_by_role("link", name="Peggy Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral: Peggy Okafor")
    match = page.get_by_role("listitem").filter(has_text="Margaret Okafor (Peggy)")
    expect(match).to_contain_text("date of birth with day and month swapped")
    assert_accessible(page)
    screenshot(page, "06-referral-detail")

    match.get_by_role("button", name="This is the same person: link").click()
    expect(page.get_by_role("status")).to_have_text("Linked to Margaret Okafor (Peggy).")
    assert_accessible(page)
    screenshot(page, "07-referral-linked")

    page.get_by_role("radio", name="Eligible (3 or more of 5)").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page).to_have_url(f"{live_server.url}/referrals/triage/")
    expect(page.get_by_role("status")).to_have_text(f"{reference}: Eligible (3 or more of 5).")
    expect(page.get_by_text("No referrals are waiting.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "08-decision-recorded")

    referral = Referral.objects.get(reference=reference)
    assert referral.status == Referral.Status.ELIGIBLE
    assert referral.person == known
    episode = known.episodes.get()
    assert episode.referral == referral
    assert episode.status == EpisodeStatus.AWAITING_ALLOCATION


def test_a_referral_sent_twice_on_the_way_is_one_referral(live_server, page):
    """The send reaches the app twice (a double click, a connection that retries): the page's
    one-time key makes the second the first referral, and the referrer sees its reference."""
    TeamFactory(receives_public_referrals=True)
    OrganisationFactory(name="Northgate Probation", sector=Sector.PROBATION)

    def send_twice(route):
        route.fetch(max_redirects=0)
        route.fulfill(response=route.fetch(max_redirects=0))

    page.route(
        f"{live_server.url}/refer/",
        lambda route: send_twice(route) if route.request.method == "POST" else route.continue_(),
    )
    page.goto(f"{live_server.url}/refer/")
    # Both pages pass axe in test_partner_refers_and_team_leader_accepts; here they must fit.
    assert_fits_phone(page)
    fill_about_the_person(
        page, first_name="Peggy", last_name="Okafor", date_of_birth=date(1979, 7, 3)
    )
    tick_disadvantages(page, "Homelessness", "Mental ill-health")
    fill_the_referral(page, organisation="Northgate Probation")
    page.get_by_role("button", name="Send referral").click()
    expect(page).to_have_url(f"{live_server.url}/refer/thank-you/")
    reference = page.get_by_role("status").locator("strong").inner_text()
    assert_fits_phone(page)
    assert Referral.objects.get().reference == reference
