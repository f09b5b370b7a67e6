"""Asking for the password again before the most sensitive steps (a subject access export, an
erasure, new backup codes): a stolen or unattended signed-in session is not enough for them.
Once given, the password is not asked again for PASSWORD_CONFIRM_SECONDS in that session."""

import time
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.shortcuts import redirect, render
from django.urls import reverse

from smd.audit.middleware import audit_recorded

CONFIRMED_AT = "smd_password_confirmed_at"
# A POST refused for want of the password carries the password under this prefix when it is
# sent again, beside everything it carried the first time.
PREFIX = "password_again"
WRONG_PASSWORD = "That is not your password. Check it and try again."


def password_is_right(request, password):
    """The signed-in user's password, checked through the sign-in backends so that wrong
    guesses count towards the cool-off after failed sign-ins (django-axes) like any other."""
    user = authenticate(request, username=request.user.get_username(), password=password)
    return user is not None and user.pk == request.user.pk


class PasswordConfirmForm(forms.Form):
    """The signed-in user's password, given again before a sensitive step."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_is_right(self.request, password):
            raise forms.ValidationError(WRONG_PASSWORD)
        return password


def password_confirmed(request):
    request.session[CONFIRMED_AT] = time.time()


def recently_confirmed(request):
    at = request.session.get(CONFIRMED_AT)
    return at is not None and 0 <= time.time() - at <= settings.PASSWORD_CONFIRM_SECONDS


def confirm_redirect(request):
    """To the password page, then back to the page asked for."""
    query = urlencode({"next": request.get_full_path()})
    # Nothing was shown or done: no audit entry for the page asked for.
    audit_recorded(request)
    return redirect(f"{reverse('password_confirm')}?{query}")


def ask_for_password(request):
    """None when the password was given in the last few minutes, or is given right with this
    POST; otherwise the answer that asks for it. A GET goes to the password page and back. A
    POST is not turned away: the password is asked for on a page that carries everything the
    POST sent, so what was typed (an erasure's reason) is sent on with it, not lost."""
    if recently_confirmed(request):
        return None
    if request.method != "POST":
        return confirm_redirect(request)
    given = f"{PREFIX}-password" in request.POST
    form = PasswordConfirmForm(request.POST if given else None, request=request, prefix=PREFIX)
    if form.is_valid():
        password_confirmed(request)
        return None
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken" and not name.startswith(f"{PREFIX}-")
        for value in values
    ]
    audit_recorded(request)
    context = {
        "form": form,
        "action": request.path,
        "carried": carried,
        "minutes": settings.PASSWORD_CONFIRM_SECONDS // 60,
    }
    return render(
        request, "registration/password_confirm.html", context, status=400 if given else 200
    )


def recent_password_required(methods=("GET", "POST")):
    """For a view (or some of its methods) that needs the password given in the last few
    minutes. Put it inside the role check, so a user who may not do this is told so first."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                asking = ask_for_password(request)
                if asking is not None:
                    return asking
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
