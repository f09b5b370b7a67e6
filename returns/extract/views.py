from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from returns.extract import services
from returns.extract.columns import COLUMNS, FORMAT_VERSION
from returns.extract.forms import ExtractRequestForm
from returns.extract.models import EvaluationExtract, ExtractDownload
from smd.access import requires
from smd.audit.middleware import audit_person
from smd.forms import add_service_errors


def _extract(request, pk):
    extracts = EvaluationExtract.objects.filter(team_id=request.user.team_id)
    return get_object_or_404(extracts.select_related("requested_by"), pk=pk)


def _page(request, form):
    extracts = EvaluationExtract.objects.filter(team_id=request.user.team_id).select_related(
        "requested_by"
    )
    return render(
        request,
        "returns/extract.html",
        {
            "form": form,
            "extracts": extracts,
            "format_version": FORMAT_VERSION,
            "columns": COLUMNS,
        },
        status=400 if form.errors else 200,
    )


@requires("can_download_evaluation_extract")
def index(request):
    """The team's extracts, newest first, and the form that asks for one."""
    return _page(request, ExtractRequestForm())


@requires("can_download_evaluation_extract")
@require_POST
def generate(request):
    form = ExtractRequestForm(request.POST)
    if form.is_valid():
        try:
            extract = services.extract_request(
                team=request.user.team,
                quarter=form.cleaned_data["quarter"],
                by=request.user,
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            audit_person(request, None, obj=extract)
            messages.success(request, f"The {extract} is queued to be built.")
            return redirect("returns:extract")
    return _page(request, form)


@requires("can_download_evaluation_extract")
@require_POST
def retry(request, pk):
    try:
        extract = services.extract_retry(extract=_extract(request, pk), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The {extract} is queued to be built again.")
    return redirect("returns:extract")


@requires("can_download_evaluation_extract")
def status(request, pk):
    """One extract's row; htmx polls it every two seconds while it is queued or being built."""
    return render(request, "returns/extract.html#row", {"extract": _extract(request, pk)})


@requires("can_download_evaluation_extract")
def download(request, pk):
    extract = _extract(request, pk)
    if extract.status != EvaluationExtract.Status.DONE or not extract.csv:
        raise Http404
    ExtractDownload.objects.create(extract=extract, user=request.user)
    name = extract.csv.name.rsplit("/", 1)[-1]
    response = FileResponse(
        extract.csv.open("rb"), as_attachment=True, filename=name, content_type="text/csv"
    )
    response["Cache-Control"] = "no-store"
    return response
