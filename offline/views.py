"""The installable phone app: the service worker, the manifest, the pages the service worker
keeps for when there is no signal, the device key, the caseload a phone may keep, and the
answers to a contact, and to an appointment attended or not, sent from the phone's queue
(ADR 0033)."""

import base64
import json
import uuid
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from appointments import services as appointment_services
from appointments.models import AppointmentStatus
from caseload import services as caseload_services
from caseload.forms import ContactForm
from caseload.models import Person
from offline import selectors, services
from smd.access import requires
from smd.audit.middleware import audit_person
from smd.forms import add_service_errors
from smd.middleware import second_factor_not_required

# The manifest's and the icons' colours: the navigation bar's.
THEME_COLOUR = "#0b3d63"


@login_not_required
@second_factor_not_required
@require_GET
def service_worker(request):
    """/sw.js: at the root, so its scope covers the whole app. It imports the worker module
    from the static files and starts it with the app's addresses."""
    paths = {
        "caseload": reverse("caseload:my_caseload"),
        "signIn": reverse("login"),
        "shell": reverse("offline:caseload_shell"),
        "offline": reverse("offline:offline"),
        "static": settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/",
    }
    script = (
        f"import {{ start }} from {json.dumps(static('js/offline/sw.js'))};\n"
        f"start({json.dumps(paths)});\n"
    )
    response = HttpResponse(script, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    # The browser checks for a new worker on each visit; never an old copy from a cache.
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@second_factor_not_required
@require_GET
def manifest(request):
    """The web app manifest: what a phone needs to install the app to its home screen."""
    icons = [
        {"src": static(f"icons/smd-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ] + [
        {
            "src": static("icons/smd-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    ]
    data = {
        "name": "smd case management",
        "short_name": "smd",
        "description": "My caseload and contacts, also where the signal drops.",
        "id": "/",
        "start_url": reverse("caseload:my_caseload"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    return JsonResponse(data, content_type="application/manifest+json")


@login_not_required
@second_factor_not_required
@require_GET
def offline_page(request):
    """What every page but My caseload shows without a signal. Nothing personal: the
    service worker keeps it from sign-in to sign-out."""
    return render(request, "offline/offline.html", {"offline_shell": True})


@requires("holds_caseload")
@require_GET
def caseload_shell(request):
    """My caseload without a signal: the frame and the contact form, no names. The page's
    script fills it from what the phone keeps, decrypted with the key held in memory."""
    # The form is the one My caseload shows, for "the person": the script names them.
    placeholder = SimpleNamespace(pk=uuid.UUID(int=0), known_as="", first_name="the person")
    context = {
        "offline_shell": True,
        "contact_form": ContactForm(person=placeholder),
        "hours": settings.OFFLINE_CASELOAD_HOURS,
        # The phone keeps this frame: a count of unread notifications would be stale on it, so
        # the top bar links to them without one.
        "unread_notifications": 0,
    }
    return render(request, "offline/caseload.html", context)


@second_factor_not_required
@never_cache
@require_GET
def key(request):
    """The user's wrapping key, for the page to hold in memory: only after the second factor
    (403 before it, never a redirect a script would follow), and only to those with a
    caseload."""
    user = request.user
    if not user.is_verified() or not user.holds_caseload:
        return JsonResponse({"status": "refused"}, status=403)
    raw = services.device_key_for(user=user)
    return JsonResponse(
        {
            "user": str(user.pk),
            "key": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            "csrf": get_token(request),
            "hours": settings.OFFLINE_CASELOAD_HOURS,
            "send_url": reverse("offline:contact_send", args=[uuid.UUID(int=0)]),
            "attended_url": reverse("offline:appointment_attended", args=[uuid.UUID(int=0)]),
            "not_attended_url": reverse(
                "offline:appointment_not_attended", args=[uuid.UUID(int=0)]
            ),
        }
    )


@requires("holds_caseload")
@require_GET
def caseload_data(request):
    """My caseload as data, for the phone to keep encrypted (logged: it leaves the server)."""
    return JsonResponse(
        {
            "saved_at": timezone.now().isoformat(),
            "hours": settings.OFFLINE_CASELOAD_HOURS,
            **selectors.caseload_snapshot(request.user),
        }
    )


def _refused(status, message, errors=None):
    return JsonResponse(
        {"status": "refused", "message": message, "errors": errors or {}}, status=status
    )


def _form_refused(form):
    errors = {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }
    return _refused(422, "The contact was not recorded: put right what is listed.", errors)


def _handed_over(person, what):
    return _refused(
        409,
        f"{person} is no longer on your caseload (handed over, or their support ended), "
        f"so {what} was not recorded. Tell their worker, or discard it.",
    )


@require_POST
def contact_send(request, pk):
    """A contact typed without a signal, sent from the phone's queue: the contact form's
    fields and one-time key, answered in JSON as recorded (201, or 200 for a repeat) or
    refused with the reasons (nothing recorded). Only for a person still on the sender's
    caseload."""
    user = request.user
    if not user.holds_caseload:
        return _refused(403, "Only a worker with a caseload can send contacts from the phone.")
    person = Person.objects.visible_to(user).filter(pk=pk).first()
    if person is None:
        return _refused(404, "This person's record is not open to you any more.")
    if not selectors.on_caseload(user, person):
        return _handed_over(person, "this contact")
    form = ContactForm(request.POST, person=person)
    if form.is_valid():
        try:
            contact, created = caseload_services.contact_log(
                person=person, by=user, **form.submission, **form.contact_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return JsonResponse(
                {"status": "recorded", "contact": str(contact.pk), "repeat": not created},
                status=201 if created else 200,
            )
    return _form_refused(form)


def _appointment_or_refusal(request, pk, permission, what):
    """The sender's own appointment with someone still on their caseload, or the refusal to
    answer instead (as `contact_send`: 403 without the permission, 404 when it is not theirs
    to see, 409 when the person was handed over meanwhile)."""
    user = request.user
    if not user.holds_caseload or not getattr(user, permission):
        return None, _refused(403, f"Only a worker with a caseload can send {what} from the phone.")
    appointment = selectors.appointment_for(user, pk)
    if appointment is None:
        return None, _refused(404, "This appointment is not open to you any more.")
    audit_person(request, appointment.person_id)
    if not selectors.on_caseload(user, appointment.person):
        return None, _handed_over(appointment.person, what)
    return appointment, None


def _not_booked(appointment, what):
    """Why an appointment no longer booked refuses what the phone sent (cancelled meanwhile,
    or its outcome already recorded by someone)."""
    when = timezone.localtime(appointment.starts_at)
    name = f"The appointment with {appointment.person} on {when:%-d %b at %H:%M}"
    if appointment.status == AppointmentStatus.CANCELLED:
        reason = f" ({appointment.cancel_reason})" if appointment.cancel_reason else ""
        message = f"{name} was cancelled meanwhile{reason}, so {what} was not recorded."
    else:
        message = (
            f"{name} is already recorded as {appointment.get_status_display().lower()}, "
            f"so {what} was not recorded."
        )
    return _refused(409, message)


@require_POST
def appointment_attended(request, pk):
    """An appointment that happened, logged as a contact without a signal and sent from the
    phone's queue: the contact form's fields and one-time key. Recorded as the appointment's
    "It happened: log contact" records it (`appointments.services.appointment_attend`: the
    contact logged, linked and the appointment marked attended in one transaction); a repeat
    of the same key is answered with what the first recorded."""
    appointment, refusal = _appointment_or_refusal(request, pk, "can_log_contacts", "this contact")
    if refusal:
        return refusal
    form = ContactForm(request.POST, person=appointment.person)
    if not form.is_valid():
        return _form_refused(form)
    try:
        attended, created = appointment_services.appointment_attend(
            appointment=appointment, by=request.user, **form.submission, **form.contact_data()
        )
    except ValidationError as error:
        appointment.refresh_from_db()
        if appointment.status != AppointmentStatus.BOOKED:
            return _not_booked(appointment, "this contact")
        add_service_errors(form, error)
        return _form_refused(form)
    return JsonResponse(
        {
            "status": "recorded",
            "contact": str(attended.contact_id),
            "appointment": str(attended.pk),
            "repeat": not created,
        },
        status=201 if created else 200,
    )


@require_POST
def appointment_not_attended(request, pk):
    """An appointment the person did not attend, recorded without a signal and sent from the
    phone's queue. Idempotent: sent again (or recorded meanwhile by someone else), an
    appointment already recorded as not attended is answered as a repeat."""
    appointment, refusal = _appointment_or_refusal(
        request, pk, "can_book_appointments", "“did not attend”"
    )
    if refusal:
        return refusal
    if appointment.status == AppointmentStatus.NOT_ATTENDED:
        return JsonResponse({"status": "recorded", "appointment": str(pk), "repeat": True})
    try:
        appointment_services.appointment_not_attended(appointment=appointment, by=request.user)
    except ValidationError as error:
        appointment.refresh_from_db()
        if appointment.status == AppointmentStatus.NOT_ATTENDED:
            return JsonResponse({"status": "recorded", "appointment": str(pk), "repeat": True})
        if appointment.status != AppointmentStatus.BOOKED:
            return _not_booked(appointment, "“did not attend”")
        return _refused(409, f"“Did not attend” was not recorded: {' '.join(error.messages)}")
    return JsonResponse({"status": "recorded", "appointment": str(pk), "repeat": False}, status=201)
