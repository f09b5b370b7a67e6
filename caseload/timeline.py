"""One chronological timeline per person, built from sources that any app can register.

A source says, for one kind of record: which records belong to a person (as this user may see
them), which field says when each happened, the template for one entry, and the eager loading
that template needs. The timeline asks every source for (kind, when, id) rows, merges them in
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
                eager=lambda qs: qs.select_related("assessor"),
            )
        )

A group's position orders the person page's filter (and the union), whichever app's ready()
runs first. Sources' models must have UUID primary keys (smd.models.BaseModel), so their ids
can share one column of the union. A source whose `at` is a DateField (an event "on 3
November") says `date_only=True`: the union reads it as midnight, and the page shows the date
without a time.
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

from caseload.models import Allocation, Contact, Episode, EpisodeStatusChange

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
    # `at` is a date, not a time: the union reads it as midnight, and the page shows no time.
    date_only: bool = False


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


def _ordered(groups):
    return sorted(groups, key=lambda group: group.position)


def groups():
    """Groups that have at least one source, by position."""
    used = {source.group for source in _sources.values()}
    return _ordered(group for key, group in _groups.items() if key in used)


def _sources_in_order():
    order = {group.key: i for i, group in enumerate(_ordered(_groups.values()))}
    return sorted(_sources.values(), key=lambda source: order[source.group])


def _rows(person, user, group):
    parts = [
        source.records(person, user)
        .order_by()
        .annotate(
            tl_kind=Value(source.kind, output_field=CharField()),
            tl_at=Cast(F(source.at), DateTimeField()) if source.date_only else F(source.at),
            tl_id=F("pk"),
        )
        .values_list("tl_kind", "tl_at", "tl_id")
        for source in _sources_in_order()
        if group is None or source.group == group
    ]
    if not parts:
        return None
    first, *rest = parts
    return first.union(*rest, all=True) if rest else first


class _Union:
    """The union of the sources, compiled once, read a page (with the count) at a time.

    Building and compiling the union of every source is most of what the timeline costs, and a
    Paginator over the queryset would do it twice: once for the count, once for the page. Here
    it is compiled once, and one query returns the page's rows each with the number of rows in
    all (COUNT(*) OVER (), counted before LIMIT applies)."""

    def __init__(self, rows):
        self.compiler = rows.query.get_compiler(rows.db)
        self.sql, self.params = self.compiler.as_sql()
        # The database values made Python ones (times, ids), as the queryset itself would.
        self.converters = self.compiler.get_converters([s[0] for s in self.compiler.select[:3]])
        self.connection = connections[rows.db]

    def _fetch(self, sql, params):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _select(self, sql_around, params):
        q = self.connection.ops.quote_name
        names = {"kind": q("tl_kind"), "at": q("tl_at"), "pk": q("tl_id"), "union": self.sql}
        rows = self._fetch(sql_around.format(**names), (*self.params, *params))
        count = rows[0][3] if rows else None
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [tuple(row[:3]) for row in rows], count

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
    rows = _rows(person, user, group)
    union = _Union(rows) if rows is not None else None
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
        source = _sources[kind]
        for obj in source.eager(source.records(person, user).filter(pk__in=pks)):
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
            eager=lambda qs: qs.select_related("author").prefetch_related("agencies"),
        )
    )
    register(
        Source(
            kind="allocation_started",
            group="allocations",
            template="caseload/timeline/allocation_started.html",
            records=lambda person, user: Allocation.objects.filter(episode__person=person),
            at="started_at",
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
        )
    )
    register(
        Source(
            kind="episode_status",
            group="support",
            template="caseload/timeline/episode_status.html",
            records=lambda person, user: EpisodeStatusChange.objects.filter(episode__person=person),
            at="changed_at",
            eager=lambda qs: qs.select_related("changed_by", "episode"),
        )
    )
