"""ReQoL-10 pages under /people/<id>/reqol/: the history (scores over time) and recording one.

Team staff and an allocated peer mentor read; navigators and team leaders record. Until the
organisation loads its licensed wording, both pages say so plainly and nothing is recorded.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from assessments.charts import reqol_totals_svg
from assessments.reqol import selectors, services
from assessments.reqol.forms import ReqolForm
from caseload.models import Person
from smd.forms import add_service_errors


def _person(request, person_pk):
    return get_object_or_404(
        Person.objects.visible_to(request.user).prefetch_related("episodes"), pk=person_pk
    )


def _acknowledgement(definition, records):
    """The licence's acknowledgement: the current wording's, or else the latest record's."""
    if definition is not None:
        return definition.acknowledgement
    return records[-1].definition.acknowledgement if records else ""


def history(request, person_pk):
    person = _person(request, person_pk)
    records = selectors.person_records(request.user, person)
    definition = selectors.current_definition()
    return render(
        request,
        "assessments/reqol_history.html",
        {
            "person": person,
            "records": records,
            "newest_first": list(reversed(records)),
            "chart": reqol_totals_svg(records) if records else None,
            "definition": definition,
            "acknowledgement": _acknowledgement(definition, records),
            "unavailable": services.UNAVAILABLE,
            "can_record": request.user.can_record_outcomes,
            "open_episode": next((e for e in person.episodes.all() if e.is_open), None),
        },
    )


def new(request, person_pk):
    person = _person(request, person_pk)
    if not request.user.can_record_outcomes:
        raise PermissionDenied
    definition = selectors.current_definition()
    episode = next((e for e in person.episodes.all() if e.is_open), None)
    context = {"person": person, "definition": definition, "episode": episode}
    if definition is None:
        # Said plainly, with nothing to fill in: the wording is not ours to show.
        if request.method == "POST":
            messages.error(request, services.UNAVAILABLE)
        return render(
            request,
            "assessments/reqol_form.html",
            {**context, "unavailable": services.UNAVAILABLE},
            status=409 if request.method == "POST" else 200,
        )
    if episode is None:
        messages.error(request, "ReQoL-10 is recorded during an open episode of support.")
        return redirect("reqol:history", person_pk=person.pk)
    form = ReqolForm(request.POST or None, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.reqol_record(
                person=person,
                episode=episode,
                definition=definition,
                completed_on=form.cleaned_data["completed_on"],
                completion=form.cleaned_data["completion"],
                responses=form.responses(),
                by=request.user,
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"ReQoL-10 recorded: {record.total} of 40.")
            return redirect("reqol:history", person_pk=person.pk)
    return render(
        request,
        "assessments/reqol_form.html",
        {**context, "form": form},
        status=400 if form.errors else 200,
    )
