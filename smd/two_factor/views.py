"""Signing in: password, then a code from an authenticator app (or a backup code); setting up
the app on first sign-in; the cool-off page after repeated failures (ADR 0014). And the user's
own password: changing it, and giving it again before a sensitive step (smd.reauth)."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from smd import reauth
from smd.middleware import second_factor_not_required
from smd.notifications.security import device_recognise
from smd.reauth import PasswordConfirmForm
from smd.services import PASSWORD_CHANGED, account_change_record
from smd.two_factor import services
from smd.two_factor.forms import CodeForm, PasswordChangeForm, SignInForm

NEW_BACKUP_CODES = "smd_new_backup_codes"


class SignInView(LoginView):
    """Username and password; a right pair goes on to the code step, never straight in."""

    authentication_form = SignInForm

    def get_success_url(self):
        return _with_next("two_factor:verify", super().get_success_url())


def _next(request):
    """Where to go once the second factor is given: `next` if it is one of ours, else home."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@second_factor_not_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code step of signing in."""
    next_url = _next(request)
    # Never redirect(next_url): it takes a `next` without a slash for a view name (NoReverseMatch).
    if request.user.is_verified():
        return HttpResponseRedirect(next_url)
    if services.app_device(request.user) is None:
        return redirect(_with_next("two_factor:setup", next_url))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device = services.second_factor_verify(
                user=request.user, code=form.cleaned_data["code"]
            )
        except services.CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            _second_factor_accepted(request, device)
            if isinstance(device, StaticDevice):
                _backup_code_used(request)
            return device_recognise(request, HttpResponseRedirect(next_url))
    context = {"form": form, "next": next_url, "issuer": settings.OTP_TOTP_ISSUER}
    return render(request, "two_factor/verify.html", context)


def _second_factor_accepted(request, device):
    """The session is now fully signed in: give it a new key, as Django does after a password,
    so a key learnt before this step (a fixed or leaked cookie) opens nothing."""
    otp_login(request, device)
    request.session.cycle_key()


def _backup_code_used(request):
    left = services.backup_codes_left(request.user)
    text = f"You used a backup code. You have {left} left."
    if left <= 3:
        text += " Make new ones from “Backup codes” while you still can sign in."
    messages.warning(request, text)


@second_factor_not_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """First sign-in: add the authenticator app (QR code or the secret typed in), confirm it
    with a code, then see the backup codes once."""
    next_url = _next(request)
    if services.app_device(request.user) is not None:
        # Replacing an app takes an admin's reset: a password alone never sets up a new one.
        return redirect(_with_next("two_factor:verify", next_url))
    device = services.app_device_start(user=request.user)
    form = CodeForm(request.POST or None, numeric=True)
    if form.is_valid():
        try:
            device, codes = services.app_device_confirm(
                device=device, code=form.cleaned_data["code"]
            )
        except services.CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            _second_factor_accepted(request, device)
            request.session[NEW_BACKUP_CODES] = codes
            return device_recognise(
                request, redirect(_with_next("two_factor:backup_codes", next_url))
            )
    qr_code = segno.make(device.config_url, error="m").svg_inline(
        border=4, dark="#000", light="#fff", omitsize=True
    )
    context = {
        "form": form,
        "next": next_url,
        "qr_code": qr_code,
        "secret": services.secret_text(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "two_factor/setup.html", context)


@require_http_methods(["GET", "POST"])
@reauth.recent_password_required(methods=("POST",))
def backup_codes(request):
    """New backup codes are shown once, straight after they are made; after that, only how many
    are left, and a button to replace them all."""
    if request.method == "POST":
        request.session[NEW_BACKUP_CODES] = services.backup_codes_replace(user=request.user)
        return redirect(_with_next("two_factor:backup_codes", _next(request)))
    codes = request.session.pop(NEW_BACKUP_CODES, None)
    context = {
        "codes": codes,
        "left": None if codes else services.backup_codes_left(request.user),
        "next": _next(request),
    }
    return render(request, "two_factor/backup_codes.html", context)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer during a cool-off. It is the same page whether or not the username
    exists, and it repeats nothing that was typed."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=429,
    )


@require_http_methods(["GET", "POST"])
def password_confirm(request):
    """The password given again before a sensitive step, then on to it."""
    next_url = _next(request)
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None, request=request)
    if form.is_valid():
        reauth.password_confirmed(request)
        return HttpResponseRedirect(next_url)
    minutes = settings.PASSWORD_CONFIRM_SECONDS // 60
    context = {"form": form, "next": next_url, "minutes": minutes}
    return render(
        request, "registration/password_confirm.html", context, status=400 if form.errors else 200
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """A user changes their own password, giving the current one. Their other sessions end
    (Django signs out a session whose password has changed); this one goes on."""

    form_class = PasswordChangeForm
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        user = self.request.user
        with transaction.atomic():
            response = super().form_valid(form)
            account_change_record(user=user, by=user, change=PASSWORD_CHANGED, request=self.request)
        messages.success(
            self.request,
            "Your password has been changed. Anywhere else you were signed in, you have been "
            "signed out.",
        )
        return response
