from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from caseload.models import Person
from referrals import ratelimit, services
from referrals.forms import DecisionForm, LinkPersonForm, NewPersonForm, ReferralForm
from referrals.models import DISADVANTAGES, Referral
from referrals.selectors import (
    possible_matches,
    referral_overview,
    triage_queue,
)
from smd.access import requires
from smd.audit.middleware import audit_person
from smd.forms import add_service_errors
from smd.models import Team
from smd.quarters import financial_year_label, financial_year_of
from smd.replica import read_from_replica
from smd.versioning import EditConflict

SESSION_REFERENCE = "referral_reference"
RATE_LIMITED_MESSAGE = (
    "You have sent several referrals from this connection in a short time, so we have paused "
    "this one. Nothing you typed has been lost: please wait a few minutes and send it again."
)


def _form_context(form, **extra):
    disadvantage_rows = [(form[key], form[f"{key}_note"]) for key, _, _ in DISADVANTAGES]
    return {"form": form, "disadvantage_rows": disadvantage_rows, **extra}


@login_not_required
def public_referral(request):
    team = Team.objects.filter(receives_public_referrals=True).first()
    if team is None:
        return render(request, "referrals/public_closed.html", status=503)
    form = ReferralForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if ratelimit.public_referral_limited(request):
            form.is_valid()  # keep what was typed on the page
            form.add_error(None, RATE_LIMITED_MESSAGE)
            status = 429
        elif form.is_valid():
            referral = form.save(commit=False)
            referral.team = team
            referral.channel = Referral.Channel.PUBLIC_FORM
            try:
                referral = services.referral_submit(referral=referral, **form.submission)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                ratelimit.public_referral_counted(request)
                request.session[SESSION_REFERENCE] = referral.reference
                return redirect("referrals:public_done")
    return render(request, "referrals/public_form.html", _form_context(form), status=status)


@login_not_required
def public_referral_done(request):
    # The reference comes from the submitter's own session, once; the page names nobody.
    reference = request.session.pop(SESSION_REFERENCE, None)
    return render(request, "referrals/public_done.html", {"reference": reference})


@requires("can_make_referrals")
def staff_referral(request):
    user = request.user
    initial = {
        "referrer_name": user.get_full_name(),
        "referrer_contact": user.email or user.phone,
        "referrer": str(user.organisation_id) if user.organisation_id else "",
    }
    form = ReferralForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        referral = form.save(commit=False)
        referral.team_id = user.team_id
        referral.channel = Referral.Channel.STAFF
        referral.referred_by_user = user
        try:
            referral = services.referral_submit(referral=referral, **form.submission)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Referral {referral.reference} is in the triage queue.")
            return redirect("home")
    return render(request, "referrals/staff_form.html", _form_context(form))


TRIAGE_PAGE_SIZE = 50


@requires("can_triage")
def triage(request):
    today = timezone.localdate()
    # Fifty at a time: a busy team's queue can run to hundreds, and the oldest come first.
    page = Paginator(triage_queue(request.user), TRIAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    referrals = list(page)
    for referral in referrals:
        referral.days_waiting = (today - timezone.localtime(referral.created_at).date()).days
    return render(request, "referrals/triage.html", {"referrals": referrals, "page": page})


def _visible_referral(request, pk):
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related(
            "referrer_organisation", "person", "referred_by_user"
        ),
        pk=pk,
    )
    audit_person(request, referral.person_id)
    return referral


# A link or new-record button pressed on a page someone else has acted on since: the page,
# shown again, is the stored version, and nothing was chosen for them.
CHANGED_SINCE = (
    "Someone else saved this referral since you opened it, so nothing was changed. "
    "Check it as it is now and choose again."
)


def referral_detail(request, pk, decision_form=None):
    referral = _visible_referral(request, pk)
    can_triage = request.user.can_triage and referral.status in services.OPEN_TO_DECISION
    context = {
        "referral": referral,
        "decisions": referral.decisions.select_related("decided_by"),
        "can_triage": can_triage,
        "reconsidering": can_triage and referral.status != Referral.Status.NEW,
        "matches": possible_matches(referral) if can_triage and not referral.person_id else [],
        "decision_form": decision_form
        or DecisionForm(version_record=referral, person_linked=bool(referral.person_id)),
        "new_person_form": NewPersonForm(),
        "form": decision_form,
    }
    status = 400 if decision_form is not None else 200
    return render(request, "referrals/detail.html", context, status=status)


def _triage_referral(request, pk):
    referral = _visible_referral(request, pk)
    if not request.user.can_triage:
        raise PermissionDenied
    return referral


def _triage_step(request, step):
    """Take a step on a referral: what it returns, or None when it was refused, with why in a
    message (someone else saved the referral since, or the step said no)."""
    try:
        return step()
    except EditConflict:
        messages.error(request, CHANGED_SINCE)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return None


@require_POST
def referral_link(request, pk):
    referral = _triage_referral(request, pk)
    form = LinkPersonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a person to link.")
        return redirect(referral)
    person = get_object_or_404(
        Person.objects.visible_to(request.user), pk=form.cleaned_data["person"]
    )
    audit_person(request, person)
    linked = _triage_step(
        request,
        lambda: services.referral_link_person(
            referral=referral,
            person=person,
            by=request.user,
            seen_version=request.POST.get("version"),
        ),
    )
    if linked is not None:
        messages.success(request, f"Linked to {person}.")
    return redirect(referral)


@require_POST
def referral_new_person(request, pk):
    referral = _triage_referral(request, pk)
    form = NewPersonForm(request.POST)

    def create():
        if not form.is_valid():
            raise ValidationError(form.non_field_errors())
        return services.referral_create_person(
            referral=referral,
            by=request.user,
            seen_version=request.POST.get("version"),
            **form.submission,
        )

    person = _triage_step(request, create)
    if person is not None:
        audit_person(request, person)
        messages.success(request, f"New person record created for {person}.")
    return redirect(referral)


@require_POST
def referral_decision(request, pk):
    referral = _triage_referral(request, pk)
    form = DecisionForm(
        request.POST, version_record=referral, person_linked=bool(referral.person_id)
    )
    if form.is_valid():
        try:
            decision = services.referral_decide(
                referral=referral,
                by=request.user,
                seen_version=form.seen_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{referral.reference}: {decision.get_outcome_display()}.")
            return redirect("referrals:triage")
    return referral_detail(request, pk, decision_form=form)


@requires("can_see_referral_overview")
@read_from_replica
def overview(request):
    this_year = financial_year_of(timezone.localdate())
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    by = "quarter" if request.GET.get("by") == "quarter" else "month"
    context = {
        "tables": referral_overview(request.user, year, by=by),
        "year": year,
        "year_label": financial_year_label(year),
        "years": [(y, financial_year_label(y)) for y in range(this_year, this_year - 5, -1)],
        "by": by,
    }
    return render(request, "referrals/overview.html", context)


def public_rate_limited(request, exception=None):
    return render(request, "errors/429.html", status=429)
