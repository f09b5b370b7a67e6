from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments.models import NDT_ACKNOWLEDGEMENT
from caseload.models import Person
from returns import services
from returns.figures import SECTIONS, SPLIT_LABELS, SPLITS, build_return
from returns.models import QuarterlyReturn, ReturnDownload
from smd.access import requires
from smd.quarters import Quarter
from smd.replica import read_from_replica


def _quarters():
    latest = Quarter.containing(timezone.localdate())
    quarters = [latest]
    for _ in range(11):
        quarters.append(quarters[-1].previous())
    return quarters


def _version(request, pk):
    return get_object_or_404(QuarterlyReturn.objects.filter(team_id=request.user.team_id), pk=pk)


@requires("can_make_returns")
def index(request):
    versions = QuarterlyReturn.objects.filter(team_id=request.user.team_id).select_related(
        "requested_by", "signed_off_by"
    )
    return render(
        request,
        "returns/index.html",
        {"versions": versions, "quarters": _quarters(), "default": _quarters()[1]},
    )


@requires("can_make_returns")
@require_POST
def generate(request):
    try:
        quarter = Quarter.from_label(request.POST.get("quarter", ""))
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("returns:index")
    qr = services.return_request(team=request.user.team, quarter=quarter, by=request.user)
    messages.success(request, f"{qr} is queued to be built.")
    return redirect("returns:index")


@requires("can_make_returns")
@require_POST
def retry(request, pk):
    try:
        qr = services.return_retry(quarterly_return=_version(request, pk), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{qr} is queued to be built again.")
    return redirect("returns:index")


@requires("can_make_returns")
def status(request, pk):
    """The row for one version; htmx polls it every two seconds while it is queued, being built
    or retrying."""
    return render(request, "returns/index.html#row", {"qr": _version(request, pk)})


@requires("can_make_returns")
def download(request, pk, kind):
    qr = _version(request, pk)
    file = qr.pdf if kind == "pdf" else qr.csv
    if qr.status != QuarterlyReturn.Status.DONE or not file:
        raise Http404
    ReturnDownload.objects.create(quarterly_return=qr, user=request.user, kind=kind)
    name = file.name.rsplit("/", 1)[-1]
    return FileResponse(file.open("rb"), as_attachment=True, filename=name)


@requires("can_make_returns")
@require_POST
def sign_off(request, pk):
    try:
        services.return_sign_off(quarterly_return=_version(request, pk), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Signed off: this version's figures are now locked.")
    return redirect("returns:index")


def _quarter_from(request):
    try:
        return Quarter.from_label(request.GET.get("quarter", ""))
    except ValueError:
        return Quarter.containing(timezone.localdate()).previous()


@requires("can_make_returns")
@read_from_replica
def live(request):
    """The return's figures computed now, each count linking to the people behind it."""
    quarter = _quarter_from(request)
    result = build_return(request.user.team, quarter)
    sections = [(name, [f for f in result.figures if f.section == name]) for name in SECTIONS]
    return render(
        request,
        "returns/live.html",
        {
            "quarter": quarter,
            "quarters": _quarters(),
            "sections": sections,
            "splits": SPLITS,
            "split_labels": SPLIT_LABELS,
            "can_list_people": request.user.in_team,
            "acknowledgement": NDT_ACKNOWLEDGEMENT,
        },
    )


@requires("can_make_returns")
@read_from_replica
def people(request):
    """The people behind one figure, for users who may see them (admins may not: 404)."""
    if not request.user.in_team:
        raise Http404
    quarter = _quarter_from(request)
    key, split = request.GET.get("figure", ""), request.GET.get("split", "all")
    figure = next(
        (f for f in build_return(request.user.team, quarter).figures if f.key == key), None
    )
    if figure is None or figure.kind != "count" or split not in SPLITS:
        raise Http404
    people = Person.objects.visible_to(request.user).filter(pk__in=figure.people[split])
    return render(
        request,
        "returns/people.html",
        {"figure": figure, "split": SPLIT_LABELS[split], "people": people, "quarter": quarter},
    )
