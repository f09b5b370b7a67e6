"""One chronological timeline per person, built from sources that any app can register.

A source says, for one kind of record: which records belong to a person (as this user may see
them), which field says when each happened, the template for one entry, and the eager loading
that template needs (a queryset's, and a `then` step over the loaded records for anything
else). The timeline asks every source for (kind, when, id) rows, merges them in
the database (UNION ALL, newest first, LIMIT/OFFSET for the page, the count beside each row),
then loads only that page's records: one query per kind on the page. A page costs the same with
10 records or 10,000.

The caseload knows no kind of record but its own. Every app registers its sources from its
AppConfig.ready(): the caseload's with `register_caseload_sources()` below, and each other app
(and caseload.outcomes) with a `register()` in its own timeline module
(`caseload/outcomes/timeline.py`, `referrals/timeline.py`, `assessments/timeline.py`,
`mdt/timeline.py`):

    from caseload import timeline

    def register():
        timeline.register_group("assessments", "Assessments", position=70)
        timeline.register(
            timeline.Source(
                kind="ndt",
                group="assessments",
                template="assessments/timeline_entry.html",
                records=lambda person, user: Assessment.objects.filter(person=person),
                at="completed_at",
                same_for_anyone=True,
                eager=lambda qs: qs.select_related("assessor"),
            )
        )

A group's position orders the person page's filter (and the union), whichever app's ready()
runs first. Sources' models must have UUID primary keys (smd.models.BaseModel), so their ids
can share one column of the union. A source whose `at` is a DateField (an event "on 3
November") says `date_only=True`: the union reads it as midnight, and the page shows the date
without a time. A source whose records read nothing of the user or the date says
`same_for_anyone=True`: its part of the union is built and compiled once per process, with the
person's id a parameter (ADR 0039); one that scopes its records to the user (referrals, for
team staff only) leaves it off and is built on every request.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import CharField, DateTimeField, F, QuerySet, Value
from django.db.models.functions import Cast

from caseload.models import Allocation, Contact, Episode, EpisodeStatusChange, Person
from smd.models import Organisation
from smd.prepared import PreparedQuery, compiled, converted

PER_PAGE = 20


@dataclass(frozen=True)
class Group:
    """A filter the person page offers ("Contacts", "Allocations and handovers")."""

    key: str
    label: str
    position: int


@dataclass(frozen=True)
class Source:
    kind: str
    group: str
    template: str
    records: Callable[[Any, Any], QuerySet]  # (person, user) -> that person's records
    at: str  # the field holding when it happened
    eager: Callable[[QuerySet], QuerySet] = lambda queryset: queryset
    # What the entries need beyond their rows, read for the page's records in bulk: given the
    # list of records, returns it.
    then: Callable[[list], list] | None = None
    # `at` is a date, not a time: the union reads it as midnight, and the page shows no time.
    date_only: bool = False
    # `records` reads nothing of the user (it is called with None) nor of the date: its part of
    # the union, and the query loading a page's records of it, are built and compiled once per
    # process, with the person's id a parameter (ADR 0039). Leave it off for a source that
    # scopes its records to the user.
    same_for_anyone: bool = False


@dataclass
class Entry:
    kind: str
    at: datetime
    obj: Any
    template: str
    date_only: bool = False


_groups: dict[str, Group] = {}
_sources: dict[str, Source] = {}


def register_group(key, label, *, position=100):
    """Add a group; the filter offers groups by position, then in the order registered."""
    _groups[key] = Group(key, label, position)


def register(source):
    """Add a source (or replace one of the same kind: registering twice is harmless)."""
    if source.group not in _groups:
        raise ValueError(f"Register the timeline group {source.group!r} first.")
    _sources[source.kind] = source
    _built_once.clear()


def _ordered(groups):
    return sorted(groups, key=lambda group: group.position)


def groups():
    """Groups that have at least one source, by position."""
    used = {source.group for source in _sources.values()}
    return _ordered(group for key, group in _groups.items() if key in used)


def _sources_in_order():
    order = {group.key: i for i, group in enumerate(_ordered(_groups.values()))}
    return sorted(_sources.values(), key=lambda source: order[source.group])


def _rows(sources, person, user):
    """The union of the sources' (kind, when, id) rows for the person, or None for none."""
    parts = [
        source.records(person, user)
        .order_by()
        .annotate(
            tl_kind=Value(source.kind, output_field=CharField()),
            tl_at=Cast(F(source.at), DateTimeField()) if source.date_only else F(source.at),
            tl_id=F("pk"),
        )
        .values_list("tl_kind", "tl_at", "tl_id")
        for source in sources
    ]
    if not parts:
        return None
    first, *rest = parts
    return first.union(*rest, all=True) if rest else first


def _in(group):
    return [s for s in _sources_in_order() if group is None or s.group == group]


_built_once = {}


def _same_for_anyone(group):
    """The union of the group's sources that are the same for anyone, as a query compiled once
    per process and run with the person's id (None if there are none). Building the parts of
    the union was about a third of the timeline's cost."""
    if group not in _built_once:
        sources = [s for s in _in(group) if s.same_for_anyone]
        _built_once[group] = (
            PreparedQuery(Person, lambda pk: _rows(sources, Person(pk=pk), None))
            if sources
            else None
        )
    return _built_once[group]


class _Union:
    """The union of the sources, compiled once, read a page (with the count) at a time.

    Building and compiling the union of every source is most of what the timeline costs, and a
    Paginator over the queryset would do it twice: once for the count, once for the page. Here
    it is compiled once, and one query returns the page's rows each with the number of rows in
    all (COUNT(*) OVER (), counted before LIMIT applies). The sources that are the same for
    anyone come compiled once per process (`_same_for_anyone`), those that read the user are
    built for this request, and the statement reads the two as derived tables."""

    def __init__(self, person, user, group):
        statements = []
        per_request = _rows([s for s in _in(group) if not s.same_for_anyone], person, user)
        using = None
        if per_request is not None:
            using = per_request.db
            statements.append(compiled(per_request, using)[:3])
        once = _same_for_anyone(group)
        if once is not None:
            sql, params, converters, using = once.statement(person.pk, using)
            statements.append((sql, params, converters))
        self.empty = not statements
        if self.empty:
            return
        self.connection = connections[using]
        # The values made Python ones (times, ids) as the querysets would: the columns are the
        # same in each part.
        self.converters = statements[0][2]
        if len(statements) == 1:
            self.sql, self.params = statements[0][0], list(statements[0][1])
        else:
            # Each part is a whole statement compiled by Django, read as a derived table: no
            # value goes in the text.
            self.sql = " UNION ALL ".join(
                f"SELECT * FROM ({sql}) part{n}"  # noqa: S608
                for n, (sql, _, _) in enumerate(statements)
            )
            self.params = [p for _, params, _ in statements for p in params]

    def _fetch(self, sql, params):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _select(self, sql_around, params):
        q = self.connection.ops.quote_name
        names = {"kind": q("tl_kind"), "at": q("tl_at"), "pk": q("tl_id"), "union": self.sql}
        rows = self._fetch(sql_around.format(**names), (*self.params, *params))
        count = rows[0][3] if rows else None
        rows = converted([row[:3] for row in rows], self.converters, self.connection)
        return [tuple(row) for row in rows], count

    def page(self, offset, limit):
        """([(kind, at, id)], count) for `limit` rows after `offset`; no count if none."""
        # Only Django's compiled SQL and quoted column names go in the text; values are params.
        return self._select(
            "SELECT tl.{kind}, tl.{at}, tl.{pk}, COUNT(*) OVER () FROM ({union}) tl "
            "ORDER BY tl.{at} DESC, tl.{kind}, tl.{pk} LIMIT %s OFFSET %s",
            (limit, offset),
        )

    def last_page(self, per_page):
        """([(kind, at, id)], count) for the last page, in one query; no count if none."""
        return self._select(
            "SELECT {kind}, {at}, {pk}, n FROM ("
            "SELECT tl.{kind}, tl.{at}, tl.{pk}, COUNT(*) OVER () n, "
            "ROW_NUMBER() OVER (ORDER BY tl.{at} DESC, tl.{kind}, tl.{pk}) r "
            "FROM ({union}) tl) numbered WHERE r > (n - 1) / %s * %s ORDER BY r",
            (per_page, per_page),
        )


def _loader(source, count):
    """The query loading `count` records of a source that is the same for anyone, by id, with
    what its entries show: compiled once per process for each count (at most a page's), run
    with the person's id and the records'. Building and compiling it was most of its cost."""
    key = ("load", source.kind, count)
    if key not in _built_once:
        _built_once[key] = PreparedQuery(
            Person,
            lambda person, *pks: source.eager(
                source.records(Person(pk=person), None).filter(pk__in=pks)
            ),
            ids=1 + count,
        )
    return _built_once[key]


def _load(source, person, user, pks):
    """The source's records of these ids, with what their entries show."""
    if source.same_for_anyone:
        records = _loader(source, len(pks)).objects(person.pk, *pks)
    else:
        records = list(source.eager(source.records(person, user).filter(pk__in=pks)))
    return source.then(records) if source.then else records


def _page_number(number):
    """The number asked for as Paginator.get_page reads it: not a whole number is the first."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        return int(number)
    except (TypeError, ValueError):
        return 1


def timeline_page(person, user, *, group=None, number=1, per_page=PER_PAGE):
    """One page of the person's timeline, newest first, optionally one group only. The page's
    object_list is a list of Entry. One query for the page and the count (a second for the
    last page when the one asked for is past it), then one per kind on the page."""
    if group not in _groups:
        group = None
    union = _Union(person, user, group)
    union = None if union.empty else union
    wanted = _page_number(number)
    items, count = [], None
    if union is not None:
        if wanted >= 1:
            items, count = union.page((wanted - 1) * per_page, per_page)
        if count is None and wanted != 1:
            # Past the last page (or below the first): the last page, as Paginator.get_page.
            items, count = union.last_page(per_page)
    paginator = Paginator([], per_page)
    paginator.count = count or 0
    page = paginator.get_page(wanted)
    ids = defaultdict(list)
    for kind, _, pk in items:
        ids[kind].append(pk)
    loaded = {}
    for kind, pks in ids.items():
        for obj in _load(_sources[kind], person, user, pks):
            loaded[kind, obj.pk] = obj
    page.object_list = [
        Entry(kind, at, loaded[kind, pk], _sources[kind].template, _sources[kind].date_only)
        for kind, at, pk in items
        if (kind, pk) in loaded
    ]
    return page


# --- the caseload's own sources ----------------------------------------------------------------
# Sources start from the model's manager, not from person.contacts: a person the page has
# prefetched would carry its prefetches into the query.


def _organisations_own_order():
    """Organisation's own ordering (its Meta), as seen from a contact's row of agencies: the
    order `contact.agencies.all()` lists them in, which the names must keep."""
    order = []
    for name in Organisation._meta.ordering:
        if not isinstance(name, str):  # an expression: rewrite this for it
            raise TypeError(f"Organisation's ordering {name!r} is not a field name")
        descending, name = name.startswith("-"), name.removeprefix("-")
        order.append(f"{'-' if descending else ''}organisation__{name}")
    return order


def _agency_names(count, order):
    """The names of the agencies of `count` contacts, by id, in `order`: compiled once per
    process for each count and order."""
    key = ("agencies", count, order)
    if key not in _built_once:
        _built_once[key] = PreparedQuery(
            Contact,
            lambda *pks: (
                Contact.agencies.through.objects.filter(contact__in=pks)
                .order_by(*order)
                .values_list("contact_id", "organisation__name")
            ),
            ids=count,
        )
    return _built_once[key]


def _with_agency_names(contacts):
    """The contacts, each with the names of the agencies it was with read in one query of
    names (`Contact.agency_names`): the entry shows only the names, and prefetching the
    agencies as Organisation instances cost about as much again as loading the contacts."""
    names = defaultdict(list)
    if contacts:
        pairs = _agency_names(len(contacts), tuple(_organisations_own_order()))
        for row in pairs.rows(*(contact.pk for contact in contacts)):
            names[row["contact_id"]].append(row["organisation__name"])
    for contact in contacts:
        contact.agency_names = names[contact.pk]
    return contacts


def register_caseload_sources():
    """The contacts, allocations and support status: registered by CaseloadConfig.ready()."""
    register_group("contacts", "Contacts", position=10)
    register_group("allocations", "Allocations and handovers", position=20)
    register_group("support", "Support status", position=30)

    register(
        Source(
            kind="contact",
            group="contacts",
            template="caseload/timeline/contact.html",
            records=lambda person, user: Contact.objects.filter(person=person),
            at="occurred_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("author"),
            then=_with_agency_names,
        )
    )
    register(
        Source(
            kind="allocation_started",
            group="allocations",
            template="caseload/timeline/allocation_started.html",
            records=lambda person, user: Allocation.objects.filter(episode__person=person),
            at="started_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related(
                "worker", "allocated_by", "handed_over_from__worker"
            ),
        )
    )
    # A handover's ending is told by the allocation that took over; only endings without a
    # successor are entries of their own.
    register(
        Source(
            kind="allocation_ended",
            group="allocations",
            template="caseload/timeline/allocation_ended.html",
            records=lambda person, user: Allocation.objects.filter(
                episode__person=person, ended_at__isnull=False, handed_over_to__isnull=True
            ),
            at="ended_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("worker", "ended_by"),
        )
    )
    register(
        Source(
            kind="episode_opened",
            group="support",
            template="caseload/timeline/episode_opened.html",
            records=lambda person, user: Episode.objects.filter(person=person),
            at="created_at",
            same_for_anyone=True,
        )
    )
    register(
        Source(
            kind="episode_status",
            group="support",
            template="caseload/timeline/episode_status.html",
            records=lambda person, user: EpisodeStatusChange.objects.filter(episode__person=person),
            at="changed_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("changed_by", "episode"),
        )
    )
