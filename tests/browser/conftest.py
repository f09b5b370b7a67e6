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
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(viewport=DESKTOP, locale="en-GB")
    # Generous: on a busy 2-vCPU machine one sign-in redirect once took over 10 s. A page that
    # never appears still fails, only later.
    context.set_default_timeout(30_000)
    page = context.new_page()
    # Every page must work under the Content Security Policy: a blocked script, style or image
    # is a failure, not a console message nobody reads.
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert not blocked, "Content Security Policy blocked: " + " | ".join(blocked)


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
    """assert_accessible(page): fail on any serious or critical axe violation on the page."""
    axe = Axe()

    def check(page):
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
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= NARROW["width"] + 1, (
                f"{name} scrolls sideways at {NARROW['width']}px wide "
                f"(scrollWidth {scroll_width}); see test-artifacts/{name}-320.png"
            )
        finally:
            page.set_viewport_size(DESKTOP)

    return take


def _user(username):
    from smd.models import User

    return User.objects.get(username=username)


def with_app(username):
    """Give the user an authenticator app already set up, as a returning user has."""
    app_device(_user(username))


def give_code(page, username):
    """The code step of signing in, with the code the user's app shows now."""
    page.get_by_role("textbox", name="Code").fill(app_code(_user(username)))
    page.get_by_role("button", name="Continue").click()


def sign_in(page, base, username, password):
    """Sign in through the form as a returning user: password, then the app's code."""
    with_app(username)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    give_code(page, username)
