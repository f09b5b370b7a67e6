"""The notification centre: the user's own notifications, and how they are emailed."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smd.forms import add_service_errors
from smd.notifications import selectors, services
from smd.notifications.forms import PreferencesForm
from smd.notifications.models import NotificationSettings
from smd.versioning import UNCHECKED, EditConflict

PER_PAGE = 25


@require_GET
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {"page": page, "shown_at": timezone.now().isoformat()},
    )


def _back(request):
    """The list page the form was on, or the list."""
    page = str(request.POST.get("page") or "")
    url = reverse("notifications:list")
    return f"{url}?page={page}" if page.isdigit() and len(page) < 6 else url


@require_POST
def notification_read(request, pk):
    """Mark one read; with `open`, go on to what it is about. Sending it again does no harm."""
    notification = services.notification_read(user=request.user, pk=pk)
    if notification is None:
        raise Http404
    target = notification.url
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(_back(request))


@require_POST
def read_all(request):
    """Mark read everything that was on the list when it was shown."""
    try:
        upto = parse_datetime(str(request.POST.get("upto") or "")[:40])
    except ValueError:  # shaped like a date and time, but not one
        upto = None
    if upto is not None and timezone.is_naive(upto):
        upto = None
    services.notifications_read_all(user=request.user, upto=upto or timezone.now())
    return redirect(_back(request))


@require_http_methods(["GET", "POST"])
def preferences(request):
    row = NotificationSettings.objects.filter(user=request.user).first()
    existed = row is not None
    row = row or NotificationSettings(user=request.user)
    form = PreferencesForm(request.POST or None, settings_row=row)
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_settings_save(
                user=request.user,
                deliveries=form.cleaned_data,
                # A form shown before the user had any settings has no version to compare.
                seen_version=form.seen_version if existed else UNCHECKED,
            )
        except EditConflict as conflict:
            add_service_errors(form, conflict)
        else:
            messages.success(request, "Your email choices are saved.")
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
