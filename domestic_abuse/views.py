"""Domestic-abuse pages under /people/<id>/domestic-abuse/: the person's risk, checklists and
MARAC referrals; recording a checklist (until the wording is loaded, the page says so plainly
and nothing is recorded), a referral, what the MARAC agreed and its actions.

Whoever may see the person reads; navigators and team leaders record."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from caseload.models import Person
from domestic_abuse import selectors, services
from domestic_abuse.forms import DashForm, MaracActionForm, MaracHeardForm, MaracReferralForm
from domestic_abuse.models import DashChecklist, MaracAction, MaracReferral
from smd.forms import add_service_errors
from smd.versioning import CONFLICT_MESSAGE


def _person(request, person_pk):
    return get_object_or_404(Person.objects.visible_to(request.user), pk=person_pk)


def _recorder(request, person_pk):
    """The person (404 outside what the user may see), then the permission (403)."""
    person = _person(request, person_pk)
    if not request.user.can_assess_domestic_abuse:
        raise PermissionDenied
    return person


def _acknowledgement(definition, checklists):
    """The publisher's acknowledgement: the current wording's, or else the latest checklist's."""
    if definition is not None:
        return definition.acknowledgement
    return checklists[0].definition.acknowledgement if checklists else ""


def overview(request, person_pk):
    person = _person(request, person_pk)
    checklists, referrals = selectors.person_history(person, request.user)
    definition = selectors.current_definition()
    return render(
        request,
        "domestic_abuse/overview.html",
        {
            "person": person,
            "summary": selectors.person_summary(person, request.user),
            "checklists": checklists,
            "referrals": referrals,
            "definition": definition,
            "acknowledgement": _acknowledgement(definition, checklists),
            "unavailable": services.UNAVAILABLE,
            "can_record": request.user.can_assess_domestic_abuse,
        },
    )


def checklist_new(request, person_pk):
    person = _recorder(request, person_pk)
    definition = selectors.current_definition()
    context = {"person": person, "definition": definition}
    if definition is None:
        # Said plainly, with nothing to fill in: the wording is not ours to show.
        if request.method == "POST":
            messages.error(request, services.UNAVAILABLE)
        return render(
            request,
            "domestic_abuse/checklist_form.html",
            {**context, "unavailable": services.UNAVAILABLE},
            status=409 if request.method == "POST" else 200,
        )
    form = DashForm(request.POST or None, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.checklist_record(
                person=person,
                definition=definition,
                completed_on=form.cleaned_data["completed_on"],
                answers=form.answers(),
                judgement=form.cleaned_data["judgement"],
                judgement_reason=form.cleaned_data["judgement_reason"],
                by=request.user,
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            level = checklist.get_risk_level_display().lower()
            messages.success(
                request, f"DASH checklist recorded: {checklist.yes_count} yes, {level} risk."
            )
            if checklist.risk_level == "high":
                # A high risk prompts a MARAC referral.
                return redirect("domestic_abuse:marac_new", person_pk=person.pk)
            return redirect("domestic_abuse:overview", person_pk=person.pk)
    return render(
        request,
        "domestic_abuse/checklist_form.html",
        {**context, "form": form},
        status=400 if form.errors else 200,
    )


def marac_new(request, person_pk):
    person = _recorder(request, person_pk)
    latest = (
        DashChecklist.objects.visible_to(request.user)
        .filter(person=person)
        .order_by("-completed_on", "-created_at")
        .first()
    )
    initial = {"criteria": latest.high_because} if latest and latest.risk_level == "high" else {}
    form = MaracReferralForm(request.POST or None, initial=initial)
    # Said before the form is sent: a referral now would be a repeat.
    earlier = services.earlier_referral_within_year(person, on=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.marac_refer(
                person=person,
                referred_on=form.cleaned_data["referred_on"],
                marac=form.cleaned_data["marac"],
                criteria=form.cleaned_data["criteria"],
                sharing_basis=form.cleaned_data["sharing_basis"],
                lawful_basis=form.cleaned_data["lawful_basis"],
                checklist=latest,
                by=request.user,
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            said = " This is a repeat referral within 12 months." if referral.is_repeat else ""
            messages.success(request, f"MARAC referral recorded.{said}")
            return redirect(referral.get_absolute_url())
    return render(
        request,
        "domestic_abuse/marac_form.html",
        {"person": person, "form": form, "latest": latest, "earlier": earlier},
        status=400 if form.errors else 200,
    )


def _referral(request, person_pk, pk):
    person = _recorder(request, person_pk)
    referral = get_object_or_404(
        MaracReferral.objects.visible_to(request.user).filter(person=person), pk=pk
    )
    return person, referral


def marac_edit(request, person_pk, pk):
    """When the MARAC heard the referral and what it decided, with the version check."""
    person, referral = _referral(request, person_pk, pk)
    form = MaracHeardForm(request.POST or None, instance=referral)
    if request.method == "POST" and form.is_valid():
        try:
            services.marac_heard(
                referral=referral,
                heard_on=form.cleaned_data["heard_on"],
                outcome_note=form.cleaned_data["outcome_note"],
                seen=form.seen_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "MARAC referral updated.")
            return redirect(referral.get_absolute_url())
    return render(
        request,
        "domestic_abuse/marac_edit.html",
        {"person": person, "referral": referral, "form": form},
        status=400 if form.errors else 200,
    )


def marac_action_new(request, person_pk, pk):
    person, referral = _referral(request, person_pk, pk)
    form = MaracActionForm(request.POST or None, team=person.team)
    if request.method == "POST" and form.is_valid():
        try:
            services.marac_action_add(
                referral=referral,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
                by=request.user,
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "MARAC action added.")
            return redirect(referral.get_absolute_url())
    return render(
        request,
        "domestic_abuse/marac_action_form.html",
        {"person": person, "referral": referral, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def marac_action_update(request, person_pk, pk):
    """One click: done, or open again. Its owner, or a team leader of the team."""
    person = _person(request, person_pk)
    action = get_object_or_404(
        MaracAction.objects.visible_to(request.user).filter(person=person), pk=pk
    )
    if not (action.owner_id == request.user.pk or request.user.can_overrule):
        raise PermissionDenied
    try:
        services.marac_action_update(
            action=action,
            done=request.POST.get("done") == "1",
            by=request.user,
            seen=str(request.POST.get("version") or "")[:100],
        )
    except ValidationError:
        messages.error(request, f"{CONFLICT_MESSAGE} The action is shown as it is now.")
    else:
        messages.success(request, "MARAC action updated.")
    back = request.POST.get("next", "")
    if not (
        back.startswith("/")
        and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        back = reverse("domestic_abuse:overview", args=[person.pk])
    return redirect(back)
