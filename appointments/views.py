"""Booking an appointment with a person, changing and cancelling it, turning it into a contact
or recording that the person did not attend; and the user's calendar feed, its page and its
secret address."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST, require_safe
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from appointments import calendar, selectors, services
from appointments.forms import BookForm, CancelForm, ChangeForm, OutcomeForm
from appointments.models import CalendarFeed
from caseload.forms import ContactForm
from caseload.models import Person
from smd.access import requires
from smd.audit.middleware import audit_person
from smd.audit.services import AuditAction, audit_record
from smd.forms import add_service_errors

log = logging.getLogger(__name__)

FEED_RATE_GROUP = "appointments.calendar_feed"


def _render(request, template, context, form):
    return render(request, template, context, status=400 if form.errors else 200)


def _person(request, pk):
    return get_object_or_404(Person.objects.visible_to(request.user).select_related("team"), pk=pk)


def _appointment(request, pk):
    appointment = selectors.appointment_detail(request.user, pk)
    if appointment is None:
        raise Http404
    audit_person(request, appointment.person_id)
    return appointment


def _back(request, appointment_or_person):
    person = getattr(appointment_or_person, "person", appointment_or_person)
    if request.POST.get("from") == "caseload" and request.user.holds_caseload:
        return redirect("caseload:my_caseload")
    return redirect(f"{person.get_absolute_url()}#appointments-h")


@requires("can_book_appointments")
def new(request, person_pk):
    person = _person(request, person_pk)
    places = selectors.earlier_places(person)
    form = BookForm(
        request.POST or None,
        person=person,
        places=places,
        initial={"worker": request.user.pk, "kind": "face_to_face", "on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_book(
                person=person, by=request.user, **form.submission, **form.booking_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Appointment booked for {appointment.starts_at:%-d %b at %H:%M}."
            )
            return _back(request, person)
    context = {"person": person, "form": form, "from_page": request.GET.get("from", "")}
    return _render(request, "appointments/book.html", context, form)


@require_GET
def detail(request, pk):
    appointment = _appointment(request, pk)
    return render(
        request,
        "appointments/detail.html",
        {
            "appointment": appointment,
            "person": appointment.person,
            "outcome_form": OutcomeForm(version_record=appointment),
            "may_record": request.user.can_book_appointments,
            "started": appointment.starts_at <= timezone.now(),
        },
    )


@requires("can_book_appointments")
def edit(request, pk):
    appointment = _appointment(request, pk)
    person = appointment.person
    form = ChangeForm(
        request.POST or None,
        person=person,
        places=selectors.earlier_places(person),
        version_record=appointment,
        initial=ChangeForm.initial_from(appointment),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_change(
                appointment=appointment,
                by=request.user,
                seen_version=form.seen_version,
                **form.booking_data(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Appointment changed.")
            return redirect(appointment)
    context = {"person": person, "appointment": appointment, "form": form}
    return _render(request, "appointments/change.html", context, form)


@requires("can_book_appointments")
def cancel(request, pk):
    appointment = _appointment(request, pk)
    form = CancelForm(request.POST or None, version_record=appointment)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(
                appointment=appointment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                seen_version=form.seen_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Appointment cancelled.")
            return _back(request, appointment)
    context = {"person": appointment.person, "appointment": appointment, "form": form}
    return _render(request, "appointments/cancel.html", context, form)


@requires("can_book_appointments")
@require_POST
def not_attended(request, pk):
    appointment = _appointment(request, pk)
    form = OutcomeForm(request.POST, version_record=appointment)
    form.is_valid()
    try:
        services.appointment_not_attended(
            appointment=appointment, by=request.user, seen_version=form.seen_version
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(appointment)
    messages.success(request, "Recorded as did not attend.")
    return redirect(appointment)


def _contact_initial(appointment):
    """The contact form filled in from the appointment: when, how, how long and where."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    starts = timezone.localtime(appointment.starts_at)
    initial = {
        "occurred_at": min(starts, now),
        "kind": appointment.kind,
        "summary": f"Appointment at {appointment.place}. ",
    }
    if appointment.ends_at:
        initial["duration_minutes"] = int(
            (appointment.ends_at - appointment.starts_at).total_seconds() // 60
        )
    return initial


@requires("can_log_contacts")
def attended(request, pk):
    """The appointment happened: the contact form, filled in from it. Saving logs the contact
    and marks the appointment attended, linked to it, in one transaction."""
    appointment = _appointment(request, pk)
    person = appointment.person
    if request.method == "POST":
        form = ContactForm(request.POST, person=person)
        if form.is_valid():
            try:
                services.appointment_attend(
                    appointment=appointment,
                    by=request.user,
                    **form.submission,
                    **form.contact_data(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Contact with {person} logged from the appointment.")
                return _back(request, appointment)
    else:
        if not appointment.is_booked:
            messages.info(
                request,
                f"This appointment is already recorded as "
                f"{appointment.get_status_display().lower()}.",
            )
            return redirect(appointment)
        form = ContactForm(person=person, initial=_contact_initial(appointment))
    context = {
        "person": person,
        "appointment": appointment,
        "form": form,
        "from_page": request.GET.get("from") or request.POST.get("from", ""),
    }
    return _render(request, "appointments/attended.html", context, form)


# --- the calendar feed ----------------------------------------------------------------------


@requires("can_have_calendar_feed")
def calendar_page(request):
    """How to subscribe, and a new secret address (which kills the old one). The address is
    shown once, in the answer to the POST that made it: only its hash is stored."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    new_url = None
    if request.method == "POST":
        token = services.calendar_feed_reset(user=request.user)
        new_url = request.build_absolute_uri(reverse("appointments:feed", args=[token]))
        feed = CalendarFeed.objects.get(user=request.user)
    return render(request, "appointments/calendar.html", {"feed": feed, "new_url": new_url})


def _feed_limited(request):
    """Whether this address has fetched feeds too often; with the cache down, not limited (the
    log says so): a worker's calendar matters more than the limit."""
    try:
        usage = get_usage(
            request,
            group=FEED_RATE_GROUP,
            key="ip",
            rate=settings.CALENDAR_FEED_RATE_LIMIT,
            method=["GET", "HEAD"],
            increment=True,
        )
    except (RedisError, OSError) as exc:
        log.warning("Calendar feed limit not applied: the cache is unavailable (%s)", exc)
        return False
    return usage is not None and usage["should_limit"]


@login_not_required
@require_safe
def feed(request, token):
    """A user's calendar, fetched by their calendar app without a session: the secret in the
    address is the key. A wrong or replaced secret is a 404."""
    if _feed_limited(request):
        return HttpResponse("Too many requests.", status=429, content_type="text/plain")
    found = CalendarFeed.objects.for_token(token)
    if found is None:
        raise Http404
    body = calendar.feed_ics(found.user)
    services.calendar_feed_fetched(feed=found)
    # Not given the request: its path holds the secret, which the log must not keep.
    audit_record(
        user=found.user,
        action=AuditAction.EXPORT,
        object_ref=("appointments.calendarfeed", str(found.pk)),
        description="Calendar feed fetched",
        status_code=200,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="smd.ics"'
    return response
