from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from assessments import selectors, services
from assessments.charts import ndt_totals_svg
from assessments.forms import AssessmentForm
from assessments.models import NDT_ACKNOWLEDGEMENT, Assessment
from caseload.models import EpisodeStatus, Person


def _person(request, person_pk):
    return get_object_or_404(
        Person.objects.visible_to(request.user).prefetch_related("episodes"), pk=person_pk
    )


def _context(**extra):
    return {"acknowledgement": NDT_ACKNOWLEDGEMENT, **extra}


def history(request, person_pk):
    person = _person(request, person_pk)
    found = selectors.person_history(request.user, person)
    chart = (
        ndt_totals_svg(found.completed, amended_max=found.amended_max or 68)
        if found.completed
        else None
    )
    return render(
        request,
        "assessments/history.html",
        _context(person=person, history=found, chart=chart, can_assess=request.user.in_team),
    )


def _open_episode(person):
    return next((e for e in person.episodes.all() if e.status != EpisodeStatus.CLOSED), None)


def _handle_form(request, *, person, episode, scheme, assessment=None):
    correcting = assessment is not None and assessment.status == Assessment.Status.COMPLETED
    initial = (
        AssessmentForm.initial_from(assessment) if assessment else {"assessor": request.user.pk}
    )
    form = AssessmentForm(
        request.POST or None,
        initial=initial,
        scheme=scheme,
        team=person.team,
        correcting=correcting,
        version_record=assessment,
    )
    if request.method == "POST" and form.is_valid():
        common = {
            "assessed_on": form.cleaned_data["assessed_on"],
            "assessor": form.cleaned_data["assessor"],
            "participation": form.cleaned_data["participation"],
            "scores": form.scores(),
            "notes": form.notes(),
            "by": request.user,
            "seen_version": form.seen_version,
        }
        try:
            if correcting:
                saved = services.assessment_correct(
                    assessment=assessment,
                    reason=form.cleaned_data["reason"],
                    **common,
                    **form.submission,
                )
            else:
                saved = services.assessment_save(
                    person=person,
                    episode=episode,
                    scheme=scheme,
                    assessment=assessment,
                    complete=request.POST.get("action") == "complete",
                    **common,
                    # A draft being finished is a change, not a new record.
                    **(form.submission if assessment is None else {}),
                )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            done = (
                "completed" if saved.status == Assessment.Status.COMPLETED else "saved as a draft"
            )
            messages.success(request, f"Assessment {done}.")
            return redirect(saved)
    return render(
        request,
        "assessments/form.html",
        _context(
            person=person,
            scheme=scheme,
            form=form,
            assessment=assessment,
            correcting=correcting,
            other_schemes=[s for s in selectors.current_schemes() if s.pk != scheme.pk]
            if assessment is None
            else [],
        ),
        status=400 if form.errors else 200,
    )


def new(request, person_pk):
    person = _person(request, person_pk)
    if not request.user.in_team:
        raise PermissionDenied
    episode = _open_episode(person)
    if episode is None:
        messages.error(request, "An NDT needs an open episode of support: accept a referral first.")
        return redirect(person)
    code = request.POST.get("scheme") or request.GET.get("scheme")
    scheme = selectors.scheme_for_new(code)
    if scheme is None:
        raise Http404("No assessment scheme is current.")
    return _handle_form(request, person=person, episode=episode, scheme=scheme)


def detail(request, person_pk, pk):
    person = _person(request, person_pk)
    assessment = selectors.assessment_detail(request.user, person, pk)
    if assessment is None:
        raise Http404
    return render(
        request,
        "assessments/detail.html",
        _context(
            person=person,
            assessment=assessment,
            can_change=assessment.can_be_changed_by(request.user),
        ),
    )


def edit(request, person_pk, pk):
    person = _person(request, person_pk)
    assessment = selectors.assessment_detail(request.user, person, pk)
    if assessment is None:
        raise Http404
    if not assessment.can_be_changed_by(request.user):
        raise PermissionDenied
    return _handle_form(
        request,
        person=person,
        episode=assessment.episode,
        scheme=assessment.scheme,
        assessment=assessment,
    )
