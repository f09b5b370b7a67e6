"""Browser fixtures: one Debian chromium for the tests in this folder, a fresh page per test,
an axe check and screenshots at desktop and phone widths.

tests/conftest.py skips (or, with CI=true, fails) `browser` tests before these fixtures run
when /usr/bin/chromium is missing, so nothing here tries to launch a browser that isn't there.
"""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.conftest import CHROMIUM, app_code, app_device

# Debian's chromium, kept quiet: no updates, sync or background traffic during tests.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
# The narrowest phone width WCAG's reflow criterion (1.4.10) asks pages to work at.
NARROW = {"width": 320, "height": 640}

# Moderate and minor findings are worth reading, but only these block a page.
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="package")
def chromium_browser():
    # Playwright's sync API keeps an event loop running in the test thread while it is open,
    # and Django refuses ORM calls from a thread with a running loop. The tests' ORM calls never
    # overlap with the browser's, so telling Django it is safe is true here. Package scope
    # closes Playwright (and unsets the variable) once this folder's tests are done: set for
    # the whole session, the variable leaked into later tests and their subprocesses, and
    # `manage.py check --deploy` rightly fails on it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # Playwright's offline switch does not reach a service worker's own requests; with
        # this, routes see them, and the offline journey cuts them too (test_offline_journey).
        patch.setenv("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


def open_page(browser, viewport=DESKTOP, **options):
    """A fresh context and page that fail the test, when closed with close_page, if the Content
    Security Policy blocked anything or a page it showed was never checked at 320 px."""
    context = browser.new_context(viewport=viewport, locale="en-GB", **options)
    # Generous: on a busy 2-vCPU machine one sign-in redirect once took over 10 s. A page that
    # never appears still fails, only later.
    context.set_default_timeout(30_000)
    page = context.new_page()
    # Every page must work under the Content Security Policy: a blocked script, style or image
    # is a failure, not a console message nobody reads.
    page.smd_blocked = []
    page.on(
        "console",
        lambda message: (
            page.smd_blocked.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    # Each document the page loads, and whether assert_fits_phone has looked at it since.
    page.smd_visits = []
    page.on("domcontentloaded", lambda loaded: page.smd_visits.append([loaded.url, False]))
    return page


def close_page(page):
    page.context.close()
    assert not page.smd_blocked, "Content Security Policy blocked: " + " | ".join(page.smd_blocked)
    unchecked = [url for url, checked in page.smd_visits if not checked]
    assert not unchecked, (
        "Pages shown but never checked at 320 px (call assert_accessible or assert_fits_phone "
        "on each): " + ", ".join(unchecked)
    )


@pytest.fixture
def page(chromium_browser):
    page = open_page(chromium_browser)
    yield page
    close_page(page)


# The elements that reach past the right edge, innermost first: what to fix, not its parents.
_OVERFLOW = """() => {
  const edge = window.innerWidth;
  const sticking = [...document.body.querySelectorAll("*")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > edge + 0.5;
  });
  const innermost = sticking.filter((el) => !sticking.some((o) => o !== el && el.contains(o)));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: edge,
    culprits: innermost.slice(0, 5).map((el) =>
      `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
      `${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : ""}>` +
      ` right edge ${Math.round(el.getBoundingClientRect().right)}px: ` +
      JSON.stringify((el.textContent || "").trim().slice(0, 60))
    ),
  };
}"""


def assert_fits_phone(page):
    """Fail if the page scrolls sideways at 320 px wide (WCAG 1.4.10 reflow), naming what sticks
    out; then put the page back at the width it had. Every page a browser test shows must pass
    through here (assert_accessible calls it), or close_page fails the test."""
    # Measured once the page's stylesheets have loaded: on a busy machine a heading can be on
    # the page before the CSS that lays out the rest of it.
    page.wait_for_load_state("load")
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    try:
        found = page.evaluate(_OVERFLOW)
    finally:
        page.set_viewport_size(size)
    if page.smd_visits:
        page.smd_visits[-1][1] = True
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{page.url} scrolls sideways at {NARROW['width']}px wide (scrollWidth "
        f"{found['scrollWidth']} > {found['innerWidth']}): " + "; ".join(found["culprits"])
    )


def _targets(violation):
    # A target is a CSS selector, or a list of them when the node sits in a frame/shadow root.
    return "; ".join(
        " >> ".join(map(str, node["target"]))
        if isinstance(node["target"], list)
        else node["target"]
        for node in violation["nodes"]
    )


@pytest.fixture(scope="session")
def assert_accessible():
    """assert_accessible(page): fail on any serious or critical axe violation on the page, or if
    it scrolls sideways at 320 px."""
    axe = Axe()

    def check(page):
        assert_fits_phone(page)
        violations = axe.run(page).response["violations"]
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            lines = [f"{page.url}: {len(blocking)} serious or critical axe violation(s)"]
            lines += [
                f"- {v['id']} ({v['impact']}): {v['help']}\n    nodes: {_targets(v)}"
                for v in blocking
            ]
            pytest.fail("\n".join(lines), pytrace=False)

    return check


@pytest.fixture
def screenshot():
    """screenshot(page, name): save the page at 1280 and 320 wide into test-artifacts/, and
    fail if the narrow one scrolls sideways (text that reflows is readable on a phone)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=ARTIFACTS / f"{name}-1280.png", full_page=True)
        page.set_viewport_size(NARROW)
        try:
            page.screenshot(path=ARTIFACTS / f"{name}-320.png", full_page=True)
        finally:
            page.set_viewport_size(DESKTOP)
        assert_fits_phone(page)

    return take


def _user(username):
    from smd.models import User

    return User.objects.get(username=username)


def with_app(username):
    """Give the user an authenticator app already set up, as a returning user has."""
    app_device(_user(username))


def give_code(page, username):
    """The code step of signing in, with the code the user's app shows now."""
    assert_fits_phone(page)
    page.get_by_role("textbox", name="Code").fill(app_code(_user(username)))
    page.get_by_role("button", name="Continue").click()
    # The page signing in lands on is a page like any other.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert_fits_phone(page)


def sign_in(page, base, username, password):
    """Sign in through the form as a returning user: password, then the app's code."""
    with_app(username)
    page.goto(f"{base}/accounts/login/")
    assert_fits_phone(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    give_code(page, username)
