"""Session limits, the second factor, and caching rules for signed-in pages."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

LOGIN_AT = "smd_login_at"
SEEN_AT = "smd_seen_at"
# Sent when a session ends (signing out, or its time running out): the browser drops its HTTP
# cache of the app. Not "storage", which would also delete contacts still waiting to be sent.
CLEAR_CACHE = '"cache"'


class SessionLimitsMiddleware:
    """Signs a user out after SESSION_IDLE_SECONDS without a request, and SESSION_MAX_SECONDS
    after signing in whatever they do; and keeps every signed-in page out of shared and
    browser caches (`Cache-Control: no-store`), since nearly all of them hold personal data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            if (
                now - seen_at > settings.SESSION_IDLE_SECONDS
                or now - login_at > settings.SESSION_MAX_SECONDS
            ):
                logout(request)
                messages.info(
                    request,
                    "You were signed out to keep people's records safe. Please sign in again.",
                )
                response = redirect(settings.LOGIN_URL)
                response["Clear-Site-Data"] = CLEAR_CACHE
                return response
            # Note activity at most once a minute, not a session write per request.
            if now - seen_at > 60 or SEEN_AT not in session:
                session[SEEN_AT] = now
        response = self.get_response(request)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class NoStoreAfterPostMiddleware:
    """A page answering a POST is a form shown again (refused, or paused by a rate limit) with
    what was typed in it, or a file made on request: neither may be kept by a browser or a
    shared cache, signed in or not (the public referral form, the sign-in page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and not 300 <= response.status_code < 400:
            add_never_cache_headers(response)
        return response


def second_factor_not_required(view):
    """Marks a view a signed-in user may open before giving their second factor: the code
    and set-up pages themselves, and signing out."""
    view.second_factor_required = False
    return view


class SecondFactorRequiredMiddleware:
    """A password alone opens nothing. Until a signed-in user has given a code from their
    authenticator app (or a backup code) in this session, every page but the public ones, the
    code and set-up pages and signing out sends them to give one (or to set one up), the admin
    site included. It comes after django-otp's OTPMiddleware, which says whether they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages: the referral form, /healthz, sign-in
        if not getattr(view_func, "second_factor_required", True):
            return None
        return redirect_to_login(request.get_full_path(), reverse("two_factor:verify"))
