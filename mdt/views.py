import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget
from weasyprint import HTML

from caseload.models import Person
from mdt import selectors, services
from mdt.forms import (
    ActionForm,
    ActionUpdateForm,
    AgendaAddForm,
    AttendanceForm,
    CaseNotesForm,
    MdtReferralForm,
    MeetingForm,
    owner_choice,
    owners_matching,
)
from mdt.models import Action, AgendaItem, MdtReferral
from smd.access import requires
from smd.audit.middleware import audit_person
from smd.forms import add_service_errors


def _uuid(value):
    """A posted id as a UUID, or None: a forged or garbled id is a missing one, never a 500."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _meeting(request, pk):
    meeting = selectors.meeting_detail(request.user, pk)
    if meeting is None:
        raise Http404
    return meeting


def _run(request, pk):
    """A meeting the user may see and run (chair or team leader of its team)."""
    meeting = _meeting(request, pk)
    if not meeting.can_run(request.user):
        raise PermissionDenied
    return meeting


def _item(request, pk):
    item = get_object_or_404(
        AgendaItem.objects.visible_to(request.user).select_related("meeting", "person"), pk=pk
    )
    audit_person(request, item.person_id)
    return item


def _run_item(request, pk):
    item = _item(request, pk)
    if not item.meeting.can_run(request.user):
        raise PermissionDenied
    return item


@requires("can_use_mdt")
def meetings(request):
    user = request.user
    context = {
        "meetings": selectors.meetings_for(user),
        "can_plan": user.can_plan_meetings,
    }
    if user.in_team:
        context["waiting"] = (
            MdtReferral.objects.visible_to(user).filter(status=MdtReferral.Status.PENDING).count()
        )
    return render(request, "mdt/meetings.html", context)


@requires("can_plan_meetings")
def meeting_new(request):
    team = request.user.team
    form = MeetingForm(request.POST or None, team=team, initial={"chair": request.user.pk})
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.team = team
        meeting = services.meeting_create(
            meeting=meeting,
            organisations=form.cleaned_data["organisations"],
            members=form.cleaned_data["members"],
            **form.submission,
        )
        messages.success(request, "Meeting planned. Now build its agenda.")
        return redirect(meeting)
    return render(request, "mdt/meeting_form.html", {"form": form})


@requires("can_use_mdt")
def meeting(request, pk):
    meeting = _meeting(request, pk)
    can_run = meeting.can_run(request.user)
    pending, reviews = selectors.agenda_candidates(meeting) if can_run else ([], [])
    agenda = selectors.agenda_for(request.user, meeting)
    if can_run:
        agenda = selectors.mark_sharing_gaps(meeting, agenda)
    return render(
        request,
        "mdt/meeting.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "can_run": can_run,
            "pending": pending,
            "reviews": reviews,
            "agenda_add_form": AgendaAddForm() if can_run else None,
            "attendance_form": AttendanceForm(meeting=meeting) if can_run else None,
        },
    )


@require_POST
def agenda_add(request, pk):
    meeting = _run(request, pk)
    referral = None
    referral_id = _uuid(request.POST.get("mdt_referral"))
    person_id = _uuid(request.POST.get("person"))
    if referral_id:
        referral = get_object_or_404(MdtReferral.objects.visible_to(request.user), pk=referral_id)
        person = referral.person
    elif person_id:
        person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_id)
    else:
        messages.error(request, "Choose a case to add.")
        return redirect(meeting)
    audit_person(request, person)
    form = AgendaAddForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.non_field_errors())
        services.agenda_add(
            meeting=meeting, person=person, mdt_referral=referral, **form.submission
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(meeting)


@require_POST
def agenda_move(request, pk):
    item = _run_item(request, pk)
    services.agenda_move(item=item, step=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(item.meeting)


@require_POST
def agenda_remove(request, pk):
    item = _run_item(request, pk)
    try:
        services.agenda_remove(item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(item.meeting)


@require_POST
def agenda_share(request, pk):
    meeting = _run(request, pk)
    services.agenda_share(meeting=meeting)
    messages.success(request, "The agenda is now visible to invited members.")
    return redirect(meeting)


@require_POST
def attendance(request, pk):
    meeting = _run(request, pk)
    form = AttendanceForm(request.POST, meeting=meeting)
    if form.is_valid():
        services.attendance_record(meeting=meeting, attendance=form.cleaned_data)
        messages.success(request, "Attendance saved.")
    else:
        messages.error(request, "Choose present, apologies or absent for each invitation.")
    back = "mdt:live" if request.POST.get("next") == "live" else "mdt:meeting"
    return redirect(back, pk=meeting.pk)


@require_POST
def meeting_start(request, pk):
    meeting = _run(request, pk)
    services.meeting_start(meeting=meeting)
    return redirect("mdt:live", pk=meeting.pk)


def live(request, pk):
    """The chair's screen: one case at a time, with the agenda beside it."""
    meeting = _run(request, pk)
    agenda = selectors.mark_sharing_gaps(meeting, selectors.agenda_to_run(request.user, meeting))
    current = next((i for i in agenda if str(i.pk) == request.GET.get("case")), None)
    current = current or (agenda[0] if agenda else None)
    for item in agenda:
        item.meeting = meeting  # already read, with its team: not once more for the case panels
    summary = selectors.case_summary(current) if current else None
    position = agenda.index(current) if current else 0
    return render(
        request,
        "mdt/live.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "summary": summary,
            "previous": agenda[position - 1] if current and position > 0 else None,
            "next": agenda[position + 1] if current and position + 1 < len(agenda) else None,
            "notes_form": _notes_form(current) if current else None,
            "action_form": (
                ActionForm(meeting=meeting, item=current, by=request.user) if current else None
            ),
            "attendance_form": AttendanceForm(meeting=meeting),
        },
    )


@require_POST
def case_notes(request, pk):
    """Autosave (htmx, every few seconds) and the explicit save share this endpoint."""
    item = _run_item(request, pk)
    form = CaseNotesForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _not_saved(request, form.errors.as_text())
        messages.error(request, "The notes could not be saved: " + form.errors.as_text())
        return redirect(f"{_live_url(item)}")
    merging = bool(request.POST.get("merge"))
    try:
        if merging:
            fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            result = services.case_notes_merge(item=item, by=request.user, **fields)
        else:
            result = services.case_notes_save(item=item, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        if request.htmx:
            return _not_saved(request, " ".join(error.messages))
        messages.error(request, " ".join(error.messages))
        return redirect(item.meeting)
    if isinstance(result, services.Conflict):
        context = {"conflict": result, "item": item}
        if request.htmx:
            return render(request, "mdt/live.html#conflict", context, status=409)
        return render(
            request, "mdt/conflict.html", {**context, "meeting": item.meeting}, status=409
        )
    if request.htmx and merging:
        # The whole form comes back: the boxes now hold both texts, at the new version, and
        # the notes box takes the focus the merge button had.
        notes_form = _notes_form(result)
        notes_form.fields["notes"].widget.attrs["autofocus"] = True
        context = {"item": result, "notes_form": notes_form, "merged": True}
        return render(request, "mdt/live.html#case_notes", context)
    if request.htmx:
        return render(request, "mdt/live.html#save_status", {"item": result, "oob": True})
    messages.success(request, "Merged and saved." if merging else "Notes saved.")
    return redirect(_live_url(item))


def _not_saved(request, error):
    # Into the status line whichever button asked: the merge button's own target is the whole
    # form, which must not be replaced by a message and take the writer's text with it.
    response = render(request, "mdt/live.html#save_status", {"error": error}, status=400)
    return reswap(retarget(response, "#save-status"), "outerHTML")


def _notes_form(item):
    return CaseNotesForm(
        initial={
            "version": item.version,
            "notes": item.notes,
            "decisions": item.decisions,
            "outcome": item.outcome,
        }
    )


def _live_url(item):
    return f"{reverse('mdt:live', args=[item.meeting_id])}?case={item.pk}"


@require_POST
def action_add(request, pk):
    item = _run_item(request, pk)
    form = ActionForm(request.POST, meeting=item.meeting, item=item, by=request.user)
    if form.is_valid():
        try:
            services.action_add(
                item=item,
                by=request.user,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                owner_organisation=form.cleaned_data["owner_organisation"],
                due_on=form.cleaned_data["due_on"],
                **form.submission,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(item.meeting)
        if not request.htmx:
            messages.success(request, "Action added.")
            return redirect(_live_url(item))
        form = ActionForm(meeting=item.meeting, item=item, by=request.user)
    elif not request.htmx:
        summary = selectors.case_summary(item)
        return render(
            request,
            "mdt/action_form_page.html",
            {"form": form, "item": item, "summary": summary, "meeting": item.meeting},
            status=400,
        )
    summary = selectors.case_summary(item)
    html = render_to_string(
        "mdt/live.html#actions",
        {"summary": summary, "action_form": form, "item": item, "meeting": item.meeting},
        request=request,
    )
    return HttpResponse(html, status=200 if not form.errors else 400)


@require_GET
def owners(request, pk):
    """Who may own an action at the meeting, matching the name typed: a few at a time, for
    the action form's type-ahead (htmx asks for the options alone), or as a page."""
    meeting = _run(request, pk)
    typed = request.GET.get("owner_name", "")
    choices = [owner_choice(*row[1:]) for row in owners_matching(meeting, typed)]
    context = {"meeting": meeting, "typed": typed[:100], "choices": choices}
    if request.htmx:
        return render(request, "mdt/owners.html#options", context)
    return render(request, "mdt/owners.html", context)


@require_POST
def action_update(request, pk):
    """One click: done (or reopen), with an optional progress note. Owners, and whoever runs
    the meeting, may update."""
    action = get_object_or_404(
        Action.objects.visible_to(request.user).select_related(
            "agenda_item__meeting", "person", "owner", "owner_organisation"
        ),
        pk=pk,
    )
    audit_person(request, action.person_id)
    if not (action.owner_id == request.user.pk or action.agenda_item.meeting.can_run(request.user)):
        raise PermissionDenied
    form = ActionUpdateForm(request.POST, version_record=action)
    if form.is_valid():
        try:
            action = services.action_update(
                action=action,
                done=form.cleaned_data["done"],
                progress_note=form.cleaned_data["progress_note"],
                by=request.user,
                seen_version=form.seen_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            action = error.stored if form.conflict else action
    row = {
        "action": action,
        "update_form": form,
        "show_person": request.POST.get("show_person") == "1",
    }
    if request.htmx:
        return render(request, "components/action.html", row, status=400 if form.errors else 200)
    if form.conflict:
        # Shown, not redirected: what was typed stays on the page beside what is stored.
        return render(request, "mdt/action_conflict.html", row, status=400)
    if form.is_valid():
        messages.success(request, "Action updated.")
    else:
        messages.error(request, "The action was not updated: " + form.errors.as_text())
    # Back to the page the form was on, never to another site.
    back = request.POST.get("next", "")
    if not (
        back.startswith("/")
        and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        back = reverse("mdt:my_actions")
    return HttpResponseRedirect(back)


@require_POST
def meeting_finish(request, pk):
    meeting = _run(request, pk)
    try:
        services.meeting_finish(meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("mdt:minutes", pk=meeting.pk)


def _minutes_context(request, pk):
    meeting = _meeting(request, pk)
    items, owners = selectors.minutes(request.user, meeting)
    return {"meeting": meeting, "items": items, "owners": owners, "today": timezone.localdate()}


@requires("can_use_mdt")
def minutes(request, pk):
    return render(request, "mdt/minutes.html", _minutes_context(request, pk))


@requires("can_use_mdt")
def minutes_pdf(request, pk):
    context = _minutes_context(request, pk)
    html = render_to_string("mdt/minutes_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localtime(context["meeting"].starts_at).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="mdt-minutes-{stamp}.pdf"'
    return response


@requires("can_use_mdt")
def case(request, pk):
    """An MDT case record: the summary and MDT records only (partners never see contacts)."""
    item = _item(request, pk)
    partner = request.user.is_mdt_partner
    summary = selectors.case_summary(item, with_contacts=not partner, user=request.user)
    return render(request, "mdt/case.html", {"item": item, "summary": summary, "partner": partner})


@requires("can_use_mdt")
def my_actions(request):
    return render(
        request,
        "mdt/my_actions.html",
        {"actions": selectors.actions_owned_by(request.user), "today": timezone.localdate()},
    )


def referral_new(request, person_pk):
    """Team staff refer someone they can see; a partner member refers someone on the agenda of a
    meeting they attend."""
    user = request.user
    if user.in_team:
        person = get_object_or_404(Person.objects.visible_to(user), pk=person_pk)
    elif user.is_mdt_partner:
        item = (
            AgendaItem.objects.visible_to(user)
            .filter(person_id=person_pk)
            .select_related("person")
            .first()
        )
        if item is None:
            raise Http404
        person = item.person
    else:
        raise Http404
    partner = user.is_mdt_partner
    initial = {
        "referring_organisation": user.organisation_id,
        "source": MdtReferral.Source.PARTNER if partner else MdtReferral.Source.NAVIGATOR,
    }
    form = MdtReferralForm(request.POST or None, initial=initial, partner=partner)
    if request.method == "POST" and form.is_valid():
        referral = form.save(commit=False)
        referral.person = person
        referral.referred_by = user
        if partner:
            referral.source = MdtReferral.Source.PARTNER
            referral.referring_organisation = user.organisation
        referral = services.mdt_referral_create(referral=referral, **form.submission)
        if referral.may_be_discussed:
            messages.success(request, "Referred to the MDT: the chair can now put it on an agenda.")
        else:
            messages.warning(
                request,
                "Referred to the MDT. It waits until the person's agreement, or a lawful basis, "
                "is recorded.",
            )
        return redirect(person if user.in_team else "mdt:meetings")
    return render(request, "mdt/referral_form.html", {"form": form, "person": person})
