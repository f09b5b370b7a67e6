"""Pages for a person's support plan and outcomes, under /people/<id>/.

Every view finds the person through Person.objects.visible_to (404 for anyone else's), then
checks the role (403): team staff read; navigators and team leaders record; a peer mentor
records goals, events and accommodation for the people allocated to them.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers
from weasyprint import HTML

from caseload import timeline
from caseload.models import EVENT_UNITS, GoalStatus, Person
from caseload.outcomes import selectors, services
from caseload.outcomes.forms import (
    AccommodationForm,
    BudgetForm,
    EventForm,
    GoalForm,
    GoalReviewForm,
    SpendForm,
    StarForm,
)
from smd.forms import add_service_errors


def _person(request, pk):
    return get_object_or_404(
        Person.objects.visible_to(request.user).prefetch_related("episodes"), pk=pk
    )


def _recording_person(request, pk, *, with_person=False):
    """The person, for a user who may record this kind of thing about them."""
    person = _person(request, pk)
    allowed = (
        request.user.can_record_with_person if with_person else request.user.can_record_outcomes
    )
    if not allowed:
        raise PermissionDenied
    return person


def _render(request, template, context, form=None):
    return render(request, template, context, status=400 if form and form.errors else 200)


# --- the support plan --------------------------------------------------------------------------


def plan(request, pk):
    person = _person(request, pk)
    current, finished = selectors.support_plan(person)
    return render(
        request,
        "caseload/outcomes/plan.html",
        {
            "person": person,
            "current": current,
            "finished": finished,
            "today": timezone.localdate(),
            "may_record": request.user.can_record_with_person,
        },
    )


def plan_pdf(request, pk):
    """The support plan as a one-page PDF for the person to keep: their goals in their words,
    in plain language and large type."""
    person = _person(request, pk)
    current, finished = selectors.support_plan(person)
    lead = selectors.lead_navigator(person)
    html = render_to_string(
        "caseload/outcomes/plan_pdf.html",
        {
            "person": person,
            "name": person.known_as or person.first_name,
            "current": current,
            "achieved": [g for g in finished if g.status == GoalStatus.ACHIEVED][:5],
            "lead": lead,
            "today": timezone.localdate(),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    # No name in the file name: it may be saved on a shared computer.
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'inline; filename="support-plan-{stamp}.pdf"'
    return response


def _goal(person, goal_pk):
    return get_object_or_404(person.goals, pk=goal_pk)


def goal_new(request, pk):
    person = _recording_person(request, pk, with_person=True)
    form = GoalForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_add(
                person=person,
                by=request.user,
                in_their_words=form.cleaned_data["in_their_words"],
                strengths=form.cleaned_data["strengths"],
                steps=form.steps(),
                status=form.cleaned_data["status"],
                review_on=form.cleaned_data["review_on"],
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Goal added to the support plan.")
            return redirect("caseload:plan", pk=person.pk)
    return _render(
        request, "caseload/outcomes/goal_form.html", {"person": person, "form": form}, form
    )


def goal_edit(request, pk, goal_pk):
    person = _recording_person(request, pk, with_person=True)
    goal = _goal(person, goal_pk)
    form = GoalForm(request.POST or None, person=person, goal=goal)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_edit(
                goal=goal,
                by=request.user,
                in_their_words=form.cleaned_data["in_their_words"],
                strengths=form.cleaned_data["strengths"],
                steps=form.steps(),
                seen_version=form.seen_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Goal updated.")
            return redirect("caseload:plan", pk=person.pk)
    return _render(
        request,
        "caseload/outcomes/goal_form.html",
        {"person": person, "form": form, "goal": goal},
        form,
    )


def goal_review(request, pk, goal_pk):
    person = _recording_person(request, pk, with_person=True)
    goal = _goal(person, goal_pk)
    form = GoalReviewForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.goal_review(
                goal=goal,
                by=request.user,
                to_status=form.cleaned_data["to_status"],
                review_on=form.cleaned_data["review_on"],
                note=form.cleaned_data["note"],
                seen_version=form.seen_version,
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if review.to_status == GoalStatus.ACHIEVED:
                messages.success(request, "Goal achieved: well done to them.")
            else:
                messages.success(request, "Review recorded.")
            return redirect("caseload:plan", pk=person.pk)
    return _render(
        request,
        "caseload/outcomes/goal_review.html",
        {"person": person, "form": form, "goal": goal},
        form,
    )


# --- service use and crisis events -------------------------------------------------------------


def events(request, pk):
    person = _person(request, pk)
    quarter = selectors.this_quarter()
    first = selectors.first_quarter_of(person)
    comparison = selectors.person_event_comparison(person, quarter)
    return render(
        request,
        "caseload/outcomes/events.html",
        {
            "person": person,
            "events": selectors.person_events(person),
            "quarter": quarter,
            "first_quarter": first,
            "comparison": comparison,
            "may_record": request.user.can_record_with_person,
            "units": EVENT_UNITS,
        },
    )


def _events_panel(request, person, *, form=None, saved=None):
    context = selectors.events_panel(person)
    context.update(
        person=person,
        event_form=form,
        saved=saved,
        autofocus=form is not None and not form.is_bound,
    )
    if saved:
        # The refreshed timeline, from its first page, so the new event shows.
        context.update(
            timeline=timeline.timeline_page(person, request.user),
            timeline_groups=timeline.groups(),
            timeline_kind="",
            timeline_oob=True,
        )
    return render(
        request,
        "caseload/person_detail.html#events_panel",
        context,
        status=400 if form and form.errors else 200,
    )


@vary_on_headers("HX-Request")
def event_new(request, pk):
    person = _recording_person(request, pk, with_person=True)
    if request.htmx and request.GET.get("cancel"):
        return _events_panel(request, person)  # "Cancel" on the inline form: the card as it was
    form = EventForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.service_event_record(
                person=person,
                by=request.user,
                kind=form.cleaned_data["kind"],
                occurred_on=form.cleaned_data["occurred_on"],
                quantity=form.cleaned_data["quantity"],
                source=form.cleaned_data["source"],
                note=form.cleaned_data["note"],
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = f"Recorded: {made[0].get_kind_display()} on {made[0].occurred_on:%-d %B %Y}."
            if request.htmx:
                return _events_panel(request, person, saved=done)
            messages.success(request, done)
            return redirect(person)
    if request.htmx:
        return _events_panel(request, person, form=form)
    return _render(
        request, "caseload/outcomes/event_form.html", {"person": person, "form": form}, form
    )


# --- accommodation -----------------------------------------------------------------------------


def accommodation(request, pk):
    person = _person(request, pk)
    may_record = request.user.can_record_with_person
    form = None
    if may_record:
        form = AccommodationForm(request.POST or None)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            services.accommodation_record(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Change of accommodation recorded.")
            return redirect("caseload:accommodation", pk=person.pk)
    return _render(
        request,
        "caseload/outcomes/accommodation.html",
        {
            "person": person,
            "history": list(selectors.accommodation_history(person)),
            "form": form,
        },
        form,
    )


# --- personal budgets --------------------------------------------------------------------------


def budget(request, pk):
    person = _person(request, pk)
    may_record = request.user.can_record_outcomes
    if request.method == "POST" and not may_record:
        raise PermissionDenied
    budgets = list(selectors.person_budgets(person))
    open_episode = next((e for e in person.episodes.all() if e.is_open), None)
    current = next((b for b in budgets if open_episode and b.episode_id == open_episode.pk), None)
    posted = request.POST.get("form") if request.method == "POST" else None
    data = request.POST if posted else None
    offer_form = spend_form = None
    # A repeated offer (the budget it made is now current) still reaches the service, whose
    # one-time key finds that budget.
    if may_record and open_episode and (current is None or posted == "offer"):
        offer_form = BudgetForm(data if posted == "offer" else None, prefix="offer")
    if may_record and current is not None:
        spend_form = SpendForm(
            data if posted == "spend" else None,
            prefix="spend",
            team=person.team_id,
            user=request.user,
        )
    form = offer_form if posted == "offer" else spend_form if posted == "spend" else None
    if form is not None and form.is_valid():
        try:
            if posted == "offer":
                services.budget_offer(person=person, by=request.user, **form.cleaned_data)
                done = "Personal budget offered."
            else:
                services.budget_spend_record(budget=current, by=request.user, **form.cleaned_data)
                done = "Spend recorded."
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("caseload:budget", pk=person.pk)
    return _render(
        request,
        "caseload/outcomes/budget.html",
        {
            "person": person,
            "budgets": budgets,
            "current": current,
            "open_episode": open_episode,
            "offer_form": offer_form,
            "spend_form": spend_form,
            "form": form,
            "is_team_leader": request.user.can_overrule,
        },
        form,
    )


# --- Outcomes Star -----------------------------------------------------------------------------


def stars(request, pk):
    person = _person(request, pk)
    may_record = request.user.can_record_outcomes
    if request.method == "POST" and not may_record:
        raise PermissionDenied
    form = StarForm(request.POST or None) if may_record else None
    if request.method == "POST" and form.is_valid():
        try:
            services.outcomes_star_record(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Outcomes Star recorded.")
            return redirect("caseload:stars", pk=person.pk)
    return _render(
        request,
        "caseload/outcomes/stars.html",
        {
            "person": person,
            "stars": person.outcomes_stars.select_related("recorded_by"),
            "form": form,
            "plan_url": reverse("caseload:plan", args=[person.pk]),
        },
        form,
    )
