"""Headers every page carries, what a re-shown form may leave in caches, and the page for a form
refused for its security token."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.referrals.test_public_form import URL as REFER
from tests.referrals.test_public_form import valid_data  # noqa: F401 - a fixture


def test_every_page_denies_powerful_browser_features(client, db):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def test_a_refused_public_referral_is_not_kept_in_any_cache(
    client,
    team,
    valid_data,  # noqa: F811
):
    response = client.post(REFER, {**valid_data, "last_name": ""})
    assert response.status_code == 200 and 'value="Sam Taylor"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_rate_limited_public_referral_is_not_kept_in_any_cache(
    client,
    team,
    valid_data,  # noqa: F811
    settings,
):
    settings.REFERRAL_RATE_LIMIT = "1/h"
    client.post(REFER, valid_data)
    response = client.post(REFER, valid_data)
    assert response.status_code == 429
    assert "no-store" in response["Cache-Control"]


def test_a_refused_sign_in_is_not_kept_in_any_cache(client, navigator):
    response = client.post(reverse("login"), {"username": navigator.username, "password": "no"})
    assert response.status_code == 200 and navigator.username in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_an_accepted_post_is_a_redirect_the_browser_may_follow(
    client,
    team,
    valid_data,  # noqa: F811
):
    response = client.post(REFER, valid_data)
    assert response.status_code == 302 and not response.has_header("Cache-Control")


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_form_without_its_token_gets_the_apps_own_page(navigator, signed_in):
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        from tests.conftest import sign_in

        sign_in(client, navigator)
    response = client.post(REFER, {"first_name": "Jo"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form could not be sent" in page and "reload the page" in page
    # The page names no framework and no token: only what happened and what to do.
    main = page[page.index("<main") : page.index("</main>")].lower()
    assert "csrf" not in main and "django" not in main and "token" not in main
    assert 'href="/static/' in page  # the app's own styles
    assert "no-store" in response["Cache-Control"]
