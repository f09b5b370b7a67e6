"""The information-governance pages: who opened a person's record, what a staff member opened,
and the earlier values of a person's record. Each use of them is itself in the audit log."""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from smd import person_records
from smd.access import requires
from smd.audit import history, selectors
from smd.audit.forms import PeriodForm

PAGE_SIZE = 50


@requires("can_read_audit")
def index(request):
    staff = selectors.audit_staff_visible_to(request.user).select_related("team")
    return render(request, "audit/index.html", {"staff": staff})


def _log_page(request, template, events, context, reader_names=False):
    form = context["form"]
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    people = selectors.people_named(reader=request.user, events=page) if reader_names else {}
    rows = [(event, people.get(event.person_id)) for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {**context, "page": page, "rows": rows, "query": query.urlencode(), "form": form},
    )


def _period_form(request):
    return PeriodForm(request.GET if request.GET.keys() - {"page"} else None)


def _invalid(request, template, context):
    return render(request, template, {**context, "rows": None}, status=400)


@requires("can_read_audit")
def person_log(request, person_pk):
    person = get_object_or_404(person_records.people_visible_to(request.user), pk=person_pk)
    form = _period_form(request)
    context = {"person": person, "form": form}
    if form.is_bound and not form.is_valid():
        return _invalid(request, "audit/person_log.html", context)
    period = form.period() if form.is_bound else {}
    events = selectors.person_access_log(person=person, **period)
    return _log_page(request, "audit/person_log.html", events, context)


@requires("can_read_audit")
def user_log(request, user_pk):
    staff = get_object_or_404(
        selectors.audit_staff_visible_to(request.user).select_related("team"), pk=user_pk
    )
    form = _period_form(request)
    context = {"staff": staff, "form": form}
    if form.is_bound and not form.is_valid():
        return _invalid(request, "audit/user_log.html", context)
    period = form.period() if form.is_bound else {}
    events = selectors.user_access_log(staff=staff, **period)
    return _log_page(request, "audit/user_log.html", events, context, reader_names=True)


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    # A spreadsheet runs a cell that starts with one of these as a formula.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


HEADER = [
    "When",
    "Staff username",
    "Action",
    "What",
    "Person id",
    "Person",
    "Record type",
    "Record id",
    "Page",
    "Method",
    "Status",
    "IP address",
    "Browser",
]


def _csv_rows(events, names):
    yield HEADER
    for chunk in _chunks(events.iterator(chunk_size=500), 500):
        people = names(chunk)
        for event in chunk:
            yield [
                timezone.localtime(event.at).isoformat(timespec="seconds"),
                event.username,
                event.get_action_display(),
                event.description,
                event.person_id or "",
                people.get(event.person_id, ""),
                event.object_type,
                event.object_id,
                event.path,
                event.method,
                event.status_code or "",
                event.ip_address or "",
                event.user_agent,
            ]


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _csv_response(request, events, filename, names):
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([_cell(value) for value in row]) for row in _csv_rows(events, names)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(kind, pk, form):
    period = ""
    if form.is_bound:
        dates = form.period()
        period = "-" + "-to-".join(str(d or "any") for d in (dates["date_from"], dates["date_to"]))
    return f"access-{kind}-{str(pk)[:8]}{period}.csv"


@requires("can_read_audit")
def person_log_csv(request, person_pk):
    person = get_object_or_404(person_records.people_visible_to(request.user), pk=person_pk)
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        return _invalid(request, "audit/person_log.html", {"person": person, "form": form})
    events = selectors.person_access_log(person=person, **(form.period() if form.is_bound else {}))
    name = str(person)
    return _csv_response(
        request, events, _filename("person", person.pk, form), lambda chunk: {person.pk: name}
    )


@requires("can_read_audit")
def user_log_csv(request, user_pk):
    staff = get_object_or_404(selectors.audit_staff_visible_to(request.user), pk=user_pk)
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        return _invalid(request, "audit/user_log.html", {"staff": staff, "form": form})
    events = selectors.user_access_log(staff=staff, **(form.period() if form.is_bound else {}))
    reader = request.user
    return _csv_response(
        request,
        events,
        _filename("staff", staff.pk, form),
        lambda chunk: {
            pk: str(p) for pk, p in selectors.people_named(reader=reader, events=chunk).items()
        },
    )


@requires("can_see_record_history")
def record_history(request, person_pk):
    person = get_object_or_404(person_records.people_visible_to(request.user), pk=person_pk)
    changes = history.record_history(person=person)
    return render(request, "audit/history.html", {"person": person, "changes": changes})
