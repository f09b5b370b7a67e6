"""Session limits and caching rules for signed-in pages."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

LOGIN_AT = "smd_login_at"
SEEN_AT = "smd_seen_at"


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
                return redirect(settings.LOGIN_URL)
            # Note activity at most once a minute, not a session write per request.
            if now - seen_at > 60 or SEEN_AT not in session:
                session[SEEN_AT] = now
        response = self.get_response(request)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
