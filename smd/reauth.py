"""Asking for the password again before the most sensitive steps (a subject access export, an
erasure, new backup codes): a stolen or unattended signed-in session is not enough for them.
Once given, the password is not asked again for PASSWORD_CONFIRM_SECONDS in that session."""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.shortcuts import redirect
from django.urls import reverse

from smd.audit.middleware import audit_recorded

CONFIRMED_AT = "smd_password_confirmed_at"


def password_is_right(request, password):
    """The signed-in user's password, checked through the sign-in backends so that wrong
    guesses count towards the cool-off after failed sign-ins (django-axes) like any other."""
    user = authenticate(request, username=request.user.get_username(), password=password)
    return user is not None and user.pk == request.user.pk


def password_confirmed(request):
    request.session[CONFIRMED_AT] = time.time()


def recently_confirmed(request):
    at = request.session.get(CONFIRMED_AT)
    return at is not None and 0 <= time.time() - at <= settings.PASSWORD_CONFIRM_SECONDS


def confirm_redirect(request):
    """To the password page, then back. A refused POST comes back to the page as a GET: the
    form is shown again to send once the password is given."""
    query = urlencode(
        {"next": request.get_full_path() if request.method == "GET" else request.path}
    )
    # Nothing was shown or done: no audit entry for the page asked for.
    audit_recorded(request)
    return redirect(f"{reverse('password_confirm')}?{query}")


def recent_password_required(methods=("GET", "POST")):
    """For a view (or some of its methods) that needs the password given in the last few
    minutes. Put it inside the role check, so a user who may not do this is told so first."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and not recently_confirmed(request):
                return confirm_redirect(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
