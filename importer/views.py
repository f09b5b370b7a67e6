"""Importing records from a previous system: upload a file, see its dry run, import it, and
decide about the people held as possible duplicates. Managers only (can_import_records)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from importer import selectors, services
from importer.forms import UploadForm
from smd.access import requires
from smd.audit.middleware import audit_person
from smd.forms import add_service_errors


@requires("can_import_records")
def index(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.import_upload(
                team=request.user.team,
                source=form.cleaned_data["source"],
                uploaded_file=form.cleaned_data["file"],
                by=request.user,
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(run)
    return render(
        request,
        "importer/index.html",
        {
            "form": form,
            "runs": selectors.import_runs(request.user),
            "held_count": selectors.held_waiting(request.user).count(),
        },
        status=400 if form.errors else 200,
    )


@requires("can_import_records")
def run(request, pk):
    """A run: its dry run's result, progress while it works, and the import button. htmx polls
    the status partial while the run is in progress."""
    found = selectors.import_run(request.user, pk)
    template = "importer/run.html#status" if request.htmx else "importer/run.html"
    return render(request, template, {"run": found})


@requires("can_import_records")
@require_POST
def confirm(request, pk):
    found = selectors.import_run(request.user, pk)
    try:
        services.import_confirm(run=found, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The import is queued: this page shows how far it has got.")
    return redirect(found)


@requires("can_import_records")
def held(request):
    return render(request, "importer/held.html", {"held": selectors.held_waiting(request.user)})


@requires("can_import_records")
@require_POST
def decide(request, pk):
    """ "Same person: link" or "someone different: create", once."""
    row = selectors.held_person(request.user, pk)
    audit_person(request, row.candidate)
    decision = request.POST.get("decision")
    try:
        if decision == "link":
            person = services.held_person_link(held=row, by=request.user)
            messages.success(request, f"{row.name} is linked to {person}.")
        elif decision == "create":
            person = services.held_person_create(held=row, by=request.user)
            messages.success(request, f"{person} is added as someone new.")
        else:
            messages.error(request, "Choose “same person” or “someone different”.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if decision in ("link", "create"):
            messages.info(
                request,
                "Their support periods, contacts and other records come in when the file is "
                "imported again: records already imported are not added twice.",
            )
    return redirect("importer:held")
