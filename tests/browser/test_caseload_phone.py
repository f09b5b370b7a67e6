"""My caseload on a phone (390 × 844): a navigator logs a contact in a few taps and sees the
row change in place, without the page reloading; a team leader allocates someone waiting.

Every page visited gets the axe check, is screenshotted into test-artifacts/ at 390 px (and at
1280 and 320 by the shared fixture) and must not scroll sideways.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from caseload.models import Allocation, Contact, EpisodeStatus, RiskFlag
from smd.characteristics import Gender
from smd.models import Role, Specialism
from tests.browser.conftest import (
    ARTIFACTS,
    DESKTOP,
    assert_fits_phone,
    close_page,
    give_code,
    open_page,
    with_app,
)
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-cup-of-tea-at-the-day-centre"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium_browser):
    page = open_page(chromium_browser, PHONE, has_touch=True)
    yield page
    close_page(page)


@pytest.fixture
def check(assert_accessible, screenshot):
    """Axe, then screenshots at 390 (this test's phone) and at 1280 and 320 (shared)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def run(page, name):
        assert_accessible(page)
        page.screenshot(path=ARTIFACTS / f"{name}-390.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        page.set_viewport_size(DESKTOP)
        screenshot(page, name)
        page.set_viewport_size(PHONE)

    return run


def sign_in(page, live_server, username, assert_accessible):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    with_app(username)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)
    give_code(page, username)


@pytest.fixture
def team():
    return TeamFactory(name="Changing Futures Navigators", receives_public_referrals=True)


def test_navigator_logs_a_contact_from_my_caseload(
    live_server, phone, check, assert_accessible, team
):
    nadia = UserFactory(
        username="nadia", first_name="Nadia", role=Role.NAVIGATOR, team=team, password=PASSWORD
    )
    # Danny's safety warning is the longest there is: it must wrap, not run off a 320 px screen.
    for first, known_as, flags in [
        ("Margaret", "Peggy", []),
        ("Daniel", "Danny", [RiskFlag.DOMESTIC_ABUSE, RiskFlag.VISIT_IN_PAIRS]),
    ]:
        person = PersonFactory(
            team=team, first_name=first, last_name="Kelly", known_as=known_as, risk_flags=flags
        )
        AllocationFactory(
            episode=EpisodeFactory(person=person),
            worker=nadia,
            kind=Allocation.Kind.LEAD_NAVIGATOR,
        )

    # Signing in lands on My caseload: the navigator's home page.
    sign_in(phone, live_server, "nadia", assert_accessible)
    expect(phone.get_by_role("heading", level=1)).to_have_text("My caseload")
    row = phone.locator(".caseload-row").filter(has_text="Margaret Kelly (Peggy)")
    expect(row).to_contain_text("Last contact: none yet")
    check(phone, "caseload-01-my-caseload")

    # A marker on the window survives only if the page is never reloaded.
    phone.evaluate("window.notReloaded = true")
    row.get_by_role("link", name="Log contact with Margaret Kelly (Peggy)").click()
    form = row.locator("form.contact-form")
    expect(form).to_be_visible()
    # The form arrives with the focus on its first question.
    expect(row.get_by_role("radio", name="Face to face")).to_be_focused()
    check(phone, "caseload-02-log-contact-open")

    # Saving with nothing chosen keeps the user in the row, with the problems listed.
    row.get_by_role("button", name="Save contact").click()
    expect(row.get_by_role("alert")).to_contain_text("Choose the type of contact.")
    expect(row.get_by_role("alert")).to_contain_text("Write a few words about what happened.")
    check(phone, "caseload-03-log-contact-errors")

    row.get_by_role("radio", name="Face to face").check()
    row.get_by_label("How long, in minutes").fill("20")
    row.get_by_label("What happened").fill(
        "Met Peggy at the day centre. She has a housing appointment on Friday."
    )
    row.get_by_role("button", name="Save contact").click()

    expect(row).to_contain_text("Last contact: today")
    expect(row).to_contain_text("Contact logged.")
    expect(row.locator("form.contact-form")).to_have_count(0)
    expect(phone.locator("#page-status")).to_have_text(
        "Contact with Margaret Kelly (Peggy) logged."
    )
    # Focus returns to the button that opened the form, ready for the next person.
    expect(row.get_by_role("link", name="Log contact with Margaret Kelly (Peggy)")).to_be_focused()
    assert phone.evaluate("window.notReloaded") is True
    check(phone, "caseload-04-contact-logged")

    contact = Contact.objects.get()
    assert contact.author == nadia and contact.duration_minutes == 20
    assert contact.kind == "face_to_face"

    # The person page tells the same story on one timeline.
    row.get_by_role("link", name="Margaret Kelly (Peggy)", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Margaret Kelly (Peggy)")
    expect(phone.locator("#timeline")).to_contain_text("She has a housing appointment on Friday.")
    check(phone, "caseload-05-person-timeline")

    phone.locator("#timeline").get_by_role("link", name="Contact details").first.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Face to face")
    expect(phone.get_by_role("link", name="Change")).to_be_visible()  # hers, for 24 hours
    check(phone, "caseload-06-contact-details")


def test_team_leader_allocates_a_person_waiting(live_server, phone, check, assert_accessible, team):
    UserFactory(
        username="tara", first_name="Tara", role=Role.TEAM_LEADER, team=team, password=PASSWORD
    )
    UserFactory(
        first_name="Nadia",
        last_name="Okafor",
        role=Role.NAVIGATOR,
        team=team,
        gender=Gender.WOMAN,
        specialism=Specialism.WOMEN,
        fte=Decimal("1"),
    )
    UserFactory(
        first_name="Samir",
        last_name="Hussain",
        role=Role.NAVIGATOR,
        team=team,
        gender=Gender.MAN,
        languages="English, Bengali",
        fte=Decimal("0.6"),
    )
    aisha = PersonFactory(
        team=team,
        first_name="Aisha",
        last_name="Rahman",
        gender=Gender.WOMAN,
        worker_gender_preference="woman",
        preferred_language="Bengali",
    )
    episode = EpisodeFactory(person=aisha, status=EpisodeStatus.AWAITING_ALLOCATION)

    sign_in(phone, live_server, "tara", assert_accessible)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Tara")
    assert_accessible(phone)
    phone.get_by_role("link", name="See capacity").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Team capacity")
    expect(phone.locator("#waiting-h")).to_have_text("Waiting for a lead navigator (1)")
    check(phone, "caseload-07-team-capacity")

    phone.get_by_role("link", name="Allocate Aisha Rahman").click()
    expect(
        phone.get_by_text("They would like a woman worker; someone who speaks Bengali.")
    ).to_be_visible()
    check(phone, "caseload-08-allocate")

    phone.get_by_role("radio", name="Nadia Okafor").check()
    phone.get_by_label("Why this worker (optional)").fill("Aisha asked for a woman worker.")
    phone.get_by_role("button", name="Allocate").first.click()
    expect(phone.get_by_role("status").first).to_have_text(
        "Aisha Rahman is allocated to Nadia Okafor."
    )
    check(phone, "caseload-09-allocated")

    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
    assert episode.allocations.get().worker.first_name == "Nadia"

    # Her preferences are kept on her record, beside what workers should know first.
    phone.goto(f"{live_server.url}/people/{aisha.pk}/edit/")
    expect(phone.get_by_role("group", name="Who they would like to work with")).to_be_visible()
    check(phone, "caseload-10-person-edit")

    # Closing without saying where she went is refused, clearly.
    phone.goto(f"{live_server.url}/people/{aisha.pk}/support/")
    assert_fits_phone(phone)
    phone.get_by_role("button", name="Close support").click()
    expect(phone.get_by_role("alert")).to_contain_text(
        "Say where the person went when support ended."
    )
    check(phone, "caseload-11-close-support-errors")
