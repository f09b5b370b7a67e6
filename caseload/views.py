import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from caseload import selectors, services, timeline
from caseload.access import may_change_episode
from caseload.forms import (
    AllocationForm,
    CloseForm,
    ContactEditForm,
    ContactForm,
    EndAllocationForm,
    PauseForm,
    PersonForm,
    PersonSearchForm,
    PlanTargetForm,
    ResumeForm,
)
from caseload.models import Allocation, EpisodeStatus, Person
from smd.access import requires
from smd.forms import add_service_errors
from smd.models import PlanTarget, Role
from smd.quarters import financial_year_of
from smd.submission import submission_made
from smd.versioning import EditConflict


def _visible_person(request, pk):
    return get_object_or_404(Person.objects.visible_to(request.user), pk=pk)


@requires("can_see_people")
@require_http_methods(["GET", "POST"])
def person_list(request):
    # A search is sent in a POST body, never in the URL: a name in a URL ends up in browser
    # history, server and proxy logs and Referer headers. Paging the whole list stays a link.
    data = request.POST if request.method == "POST" else {}
    form = PersonSearchForm(data)
    if form.is_valid():
        search = form.cleaned_data["q"]
        people = selectors.person_list(request.user, search)
        page = Paginator(people, 50).get_page(data.get("page") or request.GET.get("page"))
    else:
        # What was typed is shown again without the character that cannot be searched for.
        search, page = data.get("q", "").replace("\x00", "")[:100], None
    template = "caseload/person_list.html"
    if request.htmx:
        template += "#results"
    # htmx swaps only a 2xx answer: the refusal is shown in place of the results either way.
    status = 400 if page is None and not request.htmx else 200
    return render(request, template, {"page": page, "q": search, "form": form}, status=status)


def _timeline_context(request, person):
    group = request.GET.get("kind", "")
    page = timeline.timeline_page(
        person, request.user, group=group or None, number=request.GET.get("page")
    )
    return {"timeline": page, "timeline_groups": timeline.groups(), "timeline_kind": group}


# Pages that answer htmx with a fragment say so, so no cache serves a fragment as the page.
@vary_on_headers("HX-Request", "HX-Target")
def person_detail(request, pk):
    person = selectors.person_detail(request.user, pk)
    if person is None:
        raise Http404
    context = {"person": person, "last_contact": selectors.last_contact(person)}
    # "Cancel" on the inline contact form: the panel as it was.
    if request.htmx and request.htmx.target == "contact-panel":
        return render(request, "caseload/person_detail.html#contact_panel", context)
    context.update(_timeline_context(request, person))
    # Filtering and paging the timeline swap only the timeline.
    if request.htmx and request.htmx.target == "timeline":
        return render(request, "caseload/person_detail.html#timeline", context)
    context["continuity"] = selectors.continuity(person)
    context["open_episode"] = next((e for e in person.episodes.all() if e.is_open), None)
    return render(request, "caseload/person_detail.html", context)


def person_edit(request, pk):
    person = _visible_person(request, pk)
    # Peer mentors read the record of the people allocated to them; team staff keep it up to date.
    if not request.user.in_team:
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, form=form, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Record updated.")
            return redirect(person)
    return render(request, "caseload/person_edit.html", {"person": person, "form": form})


# --- my caseload -------------------------------------------------------------------------------


@requires("holds_caseload")
@vary_on_headers("HX-Request")
def my_caseload(request):
    status = request.GET.get("status", "")
    row = request.GET.get("row")
    if request.htmx and row:
        # "Cancel" on an inline contact form: the row as it was.
        try:
            person = selectors.caseload_row(request.user, uuid.UUID(row))
        except ValueError:
            raise Http404 from None
        if person is None:
            raise Http404
        return render(request, "caseload/my_caseload.html#row", {"person": person})
    status = status if status in selectors.CASELOAD_STATUSES else ""
    page, counts = _caseload_page(request, status)
    context = {"page": page, "status": status, "counts": counts}
    return render(request, "caseload/my_caseload.html", context)


CASELOAD_PAGE_SIZE = 50


def _caseload_page(request, status):
    """My caseload's page of rows and the filter's counts by status. The first page of the
    whole list is read with one row more than it shows: when that row is not there, the page
    is the whole caseload, so the counts are counted from it, not asked for (one query)."""
    number = request.GET.get("page")
    if not status and number in (None, "", "1"):
        first = selectors.my_caseload_head(request.user, CASELOAD_PAGE_SIZE + 1)
        whole = len(first) <= CASELOAD_PAGE_SIZE
        counts = (
            selectors.caseload_counts_of(first)
            if whole
            else selectors.caseload_counts(request.user)
        )
        paginator = Paginator(first, CASELOAD_PAGE_SIZE)
        paginator.count = counts["all"]
        return Page(first[:CASELOAD_PAGE_SIZE], 1, paginator), counts
    counts = selectors.caseload_counts(request.user)
    paginator = Paginator(selectors.CaseloadRows(request.user, status), CASELOAD_PAGE_SIZE)
    # The filter's counts are of the same people, by status: no second count for the pages.
    paginator.count = counts[status or "all"]
    return paginator.get_page(number), counts


CAPACITY_PAGE_SIZE = 50


@requires("can_see_team_capacity")
def team_capacity(request):
    context = selectors.team_capacity(request.user)
    # The totals cover the whole team; the lists show fifty at a time, each with its own page,
    # and each page reads only its own rows: the numbers listed come with the totals.
    counts = {
        "navigators": context["listed"][Role.NAVIGATOR],
        "peer_mentors": context["listed"][Role.PEER_MENTOR],
        "waiting": context["team"].waiting.count,
    }
    for key, param in [("navigators", "nav"), ("peer_mentors", "peer"), ("waiting", "waiting")]:
        paginator = Paginator(context[key], CAPACITY_PAGE_SIZE)
        paginator.count = counts[key]
        page = paginator.get_page(request.GET.get(param))
        rows = list(page)
        if key != "waiting":
            role = Role.NAVIGATOR if key == "navigators" else Role.PEER_MENTOR
            rows = selectors.capacity_loads(rows, context["loads"], role)
        context[key] = rows
        context[f"{key}_page"] = page
        context[f"{key}_param"] = param
    context.update(
        totals_cards=[context["navigator_totals"], context["peer_totals"]],
        per_fte=settings.NAVIGATOR_CASELOAD_PER_FTE,
        hours_per_person=settings.PEER_MENTOR_HOURS_PER_PERSON,
    )
    return render(request, "caseload/team_capacity.html", context)


@requires("can_set_plan_targets")
@require_http_methods(["GET", "POST"])
def plan_targets(request):
    this_year = financial_year_of(timezone.localdate())
    targets = PlanTarget.objects.filter(team_id=request.user.team_id).select_related("set_by")
    form = PlanTargetForm(request.POST or None, this_year=this_year, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.plan_target_set(
                team=request.user.team,
                year=form.cleaned_data["year"],
                people=form.cleaned_data["people"],
                by=request.user,
                seen=form.cleaned_data["seen"],
                **form.submission,
            )
        except EditConflict as conflict:
            stored = conflict.stored
            form.add_error(
                None,
                f"Someone else set {stored.year_label} to {stored.people} people since you "
                "opened this page. Nothing was saved. Your number is still below: save again "
                "to replace theirs with it.",
            )
            form.seen_again(stored)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Target saved: {target.people} people in {target.year_label}."
            )
            return redirect("caseload:plan_targets")
    return render(
        request,
        "caseload/plan_targets.html",
        {"form": form, "targets": targets, "this_year": this_year},
        status=400 if form.errors else 200,
    )


# --- contacts ----------------------------------------------------------------------------------


def _contact_person(request, pk):
    person = selectors.visible_person(request.user, pk)
    if person is None:
        raise Http404
    if not request.user.can_log_contacts:
        raise PermissionDenied
    return person


def _caseload_row(request, person):
    if not request.user.holds_caseload:
        return None
    return selectors.caseload_row(request.user, person.pk)


def _contact_partial(request, person, *, from_page, form=None, saved=False):
    """The piece of page an inline contact form lives in: the caseload row, or the person
    page's contact panel (plus, once saved, the refreshed timeline)."""
    context = {
        "contact_form": form,
        "saved": saved,
        "from_page": from_page,
        # A freshly opened form takes the focus; one with errors gives it to the error list.
        "autofocus": form is not None and not form.is_bound,
    }
    row = _caseload_row(request, person) if from_page == "caseload" else None
    if row is not None:
        return render(request, "caseload/my_caseload.html#row", {**context, "person": row})
    context.update(person=person, last_contact=selectors.last_contact(person), from_page="person")
    if saved:
        context.update(_timeline_context(request, person), timeline_oob=True)
    return render(request, "caseload/person_detail.html#contact_panel", context)


@vary_on_headers("HX-Request")
def contact_new(request, pk):
    person = _contact_person(request, pk)
    from_page = "caseload" if request.GET.get("from") == "caseload" else "person"
    if request.method == "POST":
        from_page = "caseload" if request.POST.get("from") == "caseload" else "person"
        form = ContactForm(request.POST, person=person)
        if form.is_valid():
            try:
                contact, created = services.contact_log(
                    person=person,
                    by=request.user,
                    **form.submission,
                    **form.contact_data(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if request.htmx:
                    return _contact_partial(request, person, from_page=from_page, saved=True)
                messages.success(request, f"Contact with {person} logged.")
                if from_page == "caseload" and request.user.holds_caseload:
                    return redirect("caseload:my_caseload")
                return redirect(person)
    else:
        form = ContactForm(person=person)
    if request.htmx:
        return _contact_partial(request, person, from_page=from_page, form=form)
    return render(
        request,
        "caseload/contact_form.html",
        {"person": person, "form": form, "contact_form": form, "from_page": from_page},
    )


def _visible_contact(request, pk, contact_pk):
    contact = selectors.contact_detail(request.user, pk, contact_pk)
    if contact is None:
        raise Http404
    return contact


def contact_detail(request, pk, contact_pk):
    contact = _visible_contact(request, pk, contact_pk)
    may_edit, _ = services.contact_edit_rule(request.user, contact)
    return render(
        request,
        "caseload/contact_detail.html",
        {"contact": contact, "person": contact.person, "may_edit": may_edit},
    )


def contact_edit(request, pk, contact_pk):
    contact = _visible_contact(request, pk, contact_pk)
    may_edit, reason_required = services.contact_edit_rule(request.user, contact)
    if not may_edit:
        raise PermissionDenied
    person = contact.person
    form = ContactEditForm(
        request.POST or None, instance=contact, person=person, reason_required=reason_required
    )
    if request.method == "POST" and form.is_valid():
        data = form.contact_data()
        try:
            services.contact_edit(
                contact=contact,
                by=request.user,
                reason=form.cleaned_data.get("reason", ""),
                seen_version=form.seen_version,
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Contact updated. The earlier version is kept.")
            return redirect(contact)
    return render(
        request,
        "caseload/contact_edit.html",
        {"contact": contact, "person": person, "form": form, "contact_form": form},
    )


@require_POST
def follow_up_done(request, pk, contact_pk):
    person = _contact_person(request, pk)
    contact = get_object_or_404(person.contacts, pk=contact_pk)
    services.follow_up_done(contact=contact, by=request.user)
    if request.htmx and request.POST.get("from") == "caseload":
        row = _caseload_row(request, person)
        if row is not None:
            return render(request, "caseload/my_caseload.html#row", {"person": row})
    messages.success(request, f"Marked done: {contact.follow_up_action}")
    if request.POST.get("from") == "caseload" and request.user.holds_caseload:
        return redirect("caseload:my_caseload")
    return redirect(person)


# --- allocation --------------------------------------------------------------------------------

KINDS = {
    "lead": Allocation.Kind.LEAD_NAVIGATOR,
    "peer": Allocation.Kind.PEER_MENTOR,
}


def _allocation_forms(person, current, data=None, posted=None):
    forms = {}
    for prefix, kind in KINDS.items():
        candidates = [
            c
            for c in selectors.allocation_candidates(person, kind)
            if kind not in current or c.worker.pk != current[kind].worker_id
        ]
        label = "Lead navigator" if prefix == "lead" else "Peer mentor"
        handover = kind in current
        forms[prefix] = AllocationForm(
            data if posted == prefix else None,
            version_record=current.get(kind),
            prefix=prefix,
            candidates=candidates,
            handover=handover,
            legend=f"Hand over to another {label.lower()}"
            if handover
            else f"Choose a {label.lower()}",
        )
    return forms


def allocate(request, pk):
    person = _visible_person(request, pk)
    if not request.user.can_allocate:
        raise PermissionDenied
    episode, current = selectors.person_allocation(person)
    posted = request.POST.get("form") if request.method == "POST" else None
    forms = _allocation_forms(person, current, request.POST, posted) if episode else {}
    end_form = EndAllocationForm(
        request.POST if posted == "end" else None,
        prefix="end",
        version_record=current.get(Allocation.Kind.PEER_MENTOR),
    )
    if episode and posted in KINDS:
        form = forms[posted]
        kind = KINDS[posted]
        # Sent again: the worker chosen now holds the person, so is no longer a choice.
        repeat = submission_made(Allocation, form.sent_key(), episode=episode)
        if repeat is not None:
            messages.success(request, f"{person} is allocated to {repeat.worker}.")
            return redirect("caseload:allocate", pk=person.pk)
        if form.is_valid():
            worker = form.chosen()
            try:
                if kind in current:
                    services.allocation_hand_over(
                        allocation=current[kind],
                        to=worker,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        over_capacity_reason=form.cleaned_data["over_capacity_reason"],
                        seen_version=form.seen_version,
                        **form.submission,
                    )
                else:
                    services.allocation_create(
                        episode=episode,
                        worker=worker,
                        kind=kind,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        over_capacity_reason=form.cleaned_data["over_capacity_reason"],
                        **form.submission,
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{person} is allocated to {worker}.")
                return redirect("caseload:allocate", pk=person.pk)
    elif (
        episode
        and posted == "end"
        and Allocation.Kind.PEER_MENTOR in current
        and end_form.is_valid()
    ):
        allocation = current[Allocation.Kind.PEER_MENTOR]
        try:
            services.allocation_end(
                allocation=allocation,
                by=request.user,
                reason=end_form.cleaned_data["reason"],
                seen_version=end_form.seen_version,
            )
        except ValidationError as error:
            add_service_errors(end_form, error)
        else:
            messages.success(request, f"{allocation.worker} no longer supports {person}.")
            return redirect("caseload:allocate", pk=person.pk)
    context = {
        "person": person,
        "episode": episode,
        "current": current,
        "lead": current.get(Allocation.Kind.LEAD_NAVIGATOR),
        "peer": current.get(Allocation.Kind.PEER_MENTOR),
        "forms": forms,
        "end_form": end_form,
        "preferences": selectors.preferences(person),
        "history": selectors.allocation_history(person),
        # The error summary and "Error:" title follow whichever form was sent.
        "form": forms.get(posted) or (end_form if posted == "end" else None),
    }
    return render(request, "caseload/allocate.html", context)


# --- support status ----------------------------------------------------------------------------


def episode_change(request, pk):
    person = _visible_person(request, pk)
    if not request.user.can_change_episodes:
        raise PermissionDenied
    episode = person.episodes.open().first()
    if episode is not None and not may_change_episode(request.user, episode):
        raise PermissionDenied
    posted = request.POST.get("form") if request.method == "POST" else None
    data = request.POST if posted else None
    forms = {
        "pause": PauseForm(data if posted == "pause" else None, prefix="pause"),
        "resume": ResumeForm(data if posted == "resume" else None, prefix="resume"),
        "close": CloseForm(data if posted == "close" else None, prefix="close"),
    }
    # Closing support sent twice finds no open episode the second time: the latest one goes to
    # the service, whose one-time key finds the change the first made.
    changing = episode or person.episodes.order_by("-created_at").first()
    if changing and posted in forms and forms[posted].is_valid():
        form = forms[posted]
        try:
            if posted == "pause":
                services.episode_pause(episode=changing, by=request.user, **form.cleaned_data)
                done = "Support paused."
            elif posted == "resume":
                services.episode_resume(episode=changing, by=request.user, **form.cleaned_data)
                done = "Support resumed."
            else:
                services.episode_close(episode=changing, by=request.user, **form.close_data())
                done = "Support closed."
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(person)
    context = {
        "person": person,
        "episode": episode,
        "forms": forms,
        "form": forms.get(posted),
        "EpisodeStatus": EpisodeStatus,
    }
    return render(request, "caseload/episode_change.html", context)
