"""Reads that cross relations. Each starts from what the user may see and does its own eager
loading, so a page costs the same number of queries with 5 people or 500."""

import datetime
import functools
import uuid
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Avg,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    JSONField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone

from caseload import capacity_cache
from caseload.capacity import (
    DaysOnService,
    Load,
    TeamCapacity,
    Totals,
    WaitingSummary,
    capacity_of,
)
from caseload.models import (
    Allocation,
    Contact,
    ContactKind,
    Episode,
    EpisodeStatus,
    Person,
    PersonAlias,
    WorkerGender,
    read_for,
)
from smd.characteristics import Gender, is_ethnic_minority
from smd.models import PlanTarget, Role, Specialism, Team, User
from smd.prepared import PreparedQuery, ScopedQuery, as_prefetched
from smd.quarters import financial_year_of

KIND_ROLE = {
    Allocation.Kind.LEAD_NAVIGATOR: Role.NAVIGATOR,
    Allocation.Kind.PEER_MENTOR: Role.PEER_MENTOR,
}

# --- what the apps above the caseload add to its pages -----------------------------------------
# Registered from their AppConfig.ready(), so the caseload never imports them: the person page's
# referrals (referrals) and My caseload's NDT and MDT columns (assessments, mdt).

_person_prefetches = []
_person_annotations = []
_caseload_columns = []


def register_person_prefetch(prefetch):
    """`prefetch(user)` returns a Prefetch for the person page, holding only what the user may
    see. The page loads each with one query."""
    if prefetch not in _person_prefetches:
        _person_prefetches.append(prefetch)


def register_person_annotations(annotations, *, once=False):
    """`annotations(user)` returns annotations for the person page's own query: subqueries on
    the person (OuterRef("pk")) for a card's single values, so a card asks nothing more. Each
    card reads its values from the person when they are there, and asks for them otherwise.

    `once`: the annotations depend on neither the user nor the date (they are called with no
    user), so they are built and compiled to SQL once per process, and read for the person
    with a query of their own (`_card_values`, ADR 0039): building and compiling a subquery
    costs more than running it, and the page carries twenty. tests/caseload/test_latest_record.py
    checks that what is built once names no date."""
    if all(registered != annotations for registered, _ in _person_annotations):
        _person_annotations.append((annotations, once))
        _card_values.clear()


def _per_request_annotations(user):
    """The registered annotations that read the user, built for this request."""
    built = {}
    for annotations, once in _person_annotations:
        if not once:
            built.update(annotations(user))
    return built


def _annotations_built_once(pk):
    """One person's values of every annotation registered `once`, as a `values()` query."""
    built = {}
    for annotations, once in _person_annotations:
        if once:
            built.update(annotations(None))
    return Person.objects.filter(pk=pk).annotate(**built).values(*built)


def _card_values_registered():
    return any(once for _, once in _person_annotations)


# Compiled at the first person page of the process; run for the person the page has read.
_card_values = PreparedQuery(Person, _annotations_built_once)


def register_caseload_columns(columns):
    """`columns()` returns annotations for My caseload's rows: subqueries on the person
    (OuterRef("pk")), so the caseload stays one query. Columns come in the order registered."""
    if columns not in _caseload_columns:
        _caseload_columns.append(columns)
        _everyone_with_row_facts.cache_clear()
        for query in _CASELOAD_QUERIES:
            query.clear()


def latest_record(records, *fields, **values):
    """The first of `records` (ordered, and filtered on the person as OuterRef("pk")) as one
    subquery on the person: a JSON object of its `fields` ("name", or "relation__name" for a
    related object's) and of `values` (annotations, such as a count). Read it back with
    `record_from`. One subquery for a card's whole record, where a query of its own would
    cost a round trip and a queryset to build. The record's primary key, and each related
    object's, are always carried, so a field not asked for can still be read (`record_from`)."""
    meta = records.model._meta
    keys = {meta.pk.attname}
    for relation in {name.partition("__")[0] for name in fields if "__" in name}:
        keys.add(f"{relation}__{meta.get_field(relation).related_model._meta.pk.attname}")
    columns = {name: F(name) for name in [*sorted(keys - set(fields)), *fields]} | values
    return Subquery(records.values(record=JSONObject(**columns))[:1])


def record_from(model, data):
    """The `model` instance a `latest_record` annotation holds (None for none): each field's
    value as the field reads it, a related object's fields on an instance of its own, and any
    other value (an annotation) as an attribute. Made as a query makes its instances, so a
    field not carried is deferred: reading it costs a query, never shows a default."""
    if data is None:
        return None
    values, related, extra = {}, {}, {}
    for key, value in data.items():
        name, _, rest = key.partition("__")
        if rest:
            related.setdefault(name, {})[rest] = value
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            extra[name] = value
        else:
            values[field.attname] = _field_value(field, value)
    carried = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    record = model.from_db(None, carried, [values[name] for name in carried])
    for name, fields in related.items():
        setattr(record, name, record_from(model._meta.get_field(name).related_model, fields))
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def _field_value(field, value):
    """A value read from a JSON object as the field would read it from its column."""
    if value is None:
        return None
    if isinstance(field, JSONField | DecimalField):
        # A JSON column is text inside SQLite's JSON object, and a decimal a float: read them
        # as annotations of their own.
        raise TypeError(f"{field} cannot be read back from a JSON object exactly")
    value = field.to_python(value)
    if isinstance(value, datetime.datetime) and settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)  # SQLite keeps UTC without an offset
    return value


def person_list(user, search=""):
    """The people the user may see, with their open episode, searchable by any name."""
    people = Person.objects.visible_to(user).prefetch_related(
        Prefetch(
            "episodes",
            queryset=Episode.objects.exclude(status=EpisodeStatus.CLOSED),
            to_attr="open_episodes",
        )
    )
    for term in search.split()[:4]:
        people = people.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(known_as__icontains=term)
            | Q(aliases__name__icontains=term)
        ).distinct()
    return people


def home_figures(user):
    """The home page's count of the people the user may see."""
    return {"people_count": Person.objects.visible_to(user).count()}


def _last_contact_annotations():
    made = Contact.objects.made().filter(person=OuterRef("pk")).order_by("-occurred_at")
    return {
        "last_contact_at": Subquery(made.values("occurred_at")[:1]),
        "last_contact_kind": Subquery(made.values("kind")[:1]),
    }


# The person page's aliases, episodes and their allocations with the workers, the same for anyone
# who may see the person: compiled once per process and read for the person the user's scoped
# query found (ADR 0039), each given to the person as its prefetch would have been. As
# prefetches they were built and compiled on every request, about 3 ms at 100x.
_aliases = PreparedQuery(PersonAlias, lambda pk: PersonAlias.objects.filter(person_id=pk))
_episodes = PreparedQuery(Episode, lambda pk: Episode.objects.filter(person_id=pk))
_allocations = PreparedQuery(
    Allocation,
    lambda pk: (
        Allocation.objects.filter(episode__person_id=pk)
        .select_related("worker")
        .order_by("started_at")
    ),
)


def _with_aliases_and_episodes(person):
    as_prefetched(person, "aliases", _aliases.objects(person.pk))
    episodes = _episodes.objects(person.pk)
    allocations = {episode.pk: [] for episode in episodes}
    for allocation in _allocations.objects(person.pk):
        allocations[allocation.episode_id].append(allocation)
    for episode in episodes:
        as_prefetched(episode, "allocations", allocations[episode.pk])
    as_prefetched(person, "episodes", episodes)


def person_detail(user, pk):
    """One person the user may see, with what the person page shows; None if not visible. The
    person is noted as read for the user (`read_for`), so the page's cards and timeline do
    not ask again."""
    person = (
        Person.objects.visible_to(user)
        .prefetch_related(*(prefetch(user) for prefetch in _person_prefetches))
        .annotate(**_per_request_annotations(user))
        .filter(pk=pk)
        .first()
    )
    if person is None:
        return None
    # Only now, for a person the user may see: what is the same for anyone, the cards' values,
    # the other names, the episodes and their allocations.
    for values in _card_values.rows(person.pk) if _card_values_registered() else []:
        for name, value in values.items():
            setattr(person, name, value)
    _with_aliases_and_episodes(person)
    return read_for(person, user)


def continuity(person):
    """How many workers the person has had, over every episode, from the prefetched
    allocations: fewer is better, and the number is the point."""
    workers = {}
    for episode in person.episodes.all():
        for allocation in episode.allocations.all():
            workers.setdefault(allocation.kind, set()).add(allocation.worker_id)
    return {
        "total": len(set().union(*workers.values())) if workers else 0,
        "navigators": len(workers.get(Allocation.Kind.LEAD_NAVIGATOR, ())),
        "peer_mentors": len(workers.get(Allocation.Kind.PEER_MENTOR, ())),
    }


# --- my caseload -------------------------------------------------------------------------------

CASELOAD_STATUSES = {EpisodeStatus.ACTIVE, EpisodeStatus.PAUSED}


def _open_episode_status():
    open_episode = Episode.objects.open().filter(person=OuterRef("pk"))
    return Subquery(open_episode.values("status")[:1])


def _in_caseload_of(people, user):
    """`people` narrowed to those currently allocated to the user (in the kind of allocation
    their role holds) whom the user may see: the scope of My caseload, its counts and its rows,
    applied on every request."""
    mine = (
        Allocation.objects.holding()
        .filter(worker=user, kind__in=[k for k, role in KIND_ROLE.items() if role == user.role])
        .values("episode__person")
    )
    return people.visible_to(user).filter(pk__in=mine)


def _caseload_people(user):
    """The people on the user's caseload, each with their open episode's status."""
    return _in_caseload_of(Person.objects.annotate(episode_status=_open_episode_status()), user)


def _with_row_facts(people):
    """What a caseload row shows, as correlated subqueries on each person."""
    attempts = Contact.objects.filter(person=OuterRef("pk"), kind=ContactKind.ATTEMPTED).order_by(
        "-occurred_at"
    )
    next_action = (
        Contact.objects.open_follow_ups()
        .filter(person=OuterRef("pk"))
        .order_by(F("follow_up_due").asc(nulls_last=True), "occurred_at")
    )
    # When the open episode began, for "NDT review due".
    began = (
        Episode.objects.open()
        .filter(person=OuterRef("pk"))
        .annotate(began=Coalesce("start_date", "accepted_on"))
        .values("began")
    )
    return people.annotate(
        episode_status=_open_episode_status(),
        episode_began=Subquery(began[:1]),
        **_registered_columns(),
        last_attempt_at=Subquery(attempts.values("occurred_at")[:1]),
        next_action=Subquery(next_action.values("follow_up_action")[:1]),
        next_action_due=Subquery(next_action.values("follow_up_due")[:1]),
        next_action_id=Subquery(next_action.values("pk")[:1]),
        **_last_contact_annotations(),
    )


@functools.lru_cache(maxsize=1)
def _everyone_with_row_facts(today):
    """Every person with the row's facts: the same for every user, so built once a day per
    process (resolving its fourteen subqueries was about a tenth of the page), never evaluated
    itself, only narrowed to a user's caseload (`_caseload_rows`). By the day because a
    registered column may compare with today (overdue MDT actions); rebuilt when a column is
    registered."""
    return _with_row_facts(Person.objects.all())


def _caseload_rows(user):
    """The rows of the user's caseload: the prebuilt query, scoped to the user afresh."""
    return _in_caseload_of(_everyone_with_row_facts(timezone.localdate()), user)


def my_caseload(user, status=""):
    """The people currently allocated to the user, each with what the caseload row shows, the
    longest without contact first (never contacted first of all). One query. The id ends the
    order, so that people of the same name never contacted (or contacted at the same moment)
    keep their places and each is on exactly one page."""
    people = _caseload_rows(user)
    if status in CASELOAD_STATUSES:
        people = people.filter(episode_status=status)
    return people.order_by(
        F("last_contact_at").asc(nulls_first=True), "last_name", "first_name", "pk"
    )


# My caseload's queries, scoped to the user as above, built and compiled once per process and
# day for each kind of user (a navigator, a peer mentor), with the user's, their team's and the
# person's ids filled in at each run (ADR 0043): building and compiling the row query with its
# fifteen subqueries cost more than the database takes to run it.
_caseload_head = ScopedQuery(Person, lambda user, *, n: my_caseload(user)[:n])
_caseload_slice = ScopedQuery(
    Person, lambda user, *, status, start, stop: my_caseload(user, status)[start:stop]
)
_caseload_row = ScopedQuery(
    Person, lambda user, pk: _caseload_rows(user).filter(pk=pk).order_by("pk")[:1]
)
_caseload_counts = ScopedQuery(
    Person,
    lambda user: _caseload_people(user).order_by().values("episode_status").annotate(n=Count("pk")),
)
_visible_person = ScopedQuery(
    Person, lambda user, pk: Person.objects.visible_to(user).filter(pk=pk)
)
_CASELOAD_QUERIES = (_caseload_head, _caseload_slice, _caseload_row, _caseload_counts)


def my_caseload_head(user, n):
    """The first `n` rows of the user's whole caseload, in `my_caseload`'s order, as a list."""
    return _caseload_head.rows(user, n=n)


class CaseloadRows:
    """`my_caseload(user, status)` for a Paginator: each slice it takes is read with the query
    compiled once for that slice."""

    def __init__(self, user, status=""):
        self.user = user
        self.status = status if status in CASELOAD_STATUSES else ""

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("CaseloadRows takes a slice without a step")
        start, stop = index.start or 0, index.stop
        return _caseload_slice.rows(self.user, status=self.status, start=start, stop=stop)


def caseload_row(user, pk):
    """One person's row of the user's caseload, with the same facts as `my_caseload`'s rows,
    or None when they are not on it. The person is picked by primary key, so the query reads
    one row however long the caseload."""
    rows = _caseload_row.rows(user, pk)
    return rows[0] if rows else None


def visible_person(user, pk):
    """The person with this id if the user may see them (`Person.objects.visible_to`), else
    None: the query compiled once per kind of user (ADR 0043)."""
    rows = _visible_person.rows(user, pk)
    return rows[0] if rows else None


def _registered_columns():
    """The columns other apps add (the latest NDT, open and overdue MDT actions)."""
    return {name: value for columns in _caseload_columns for name, value in columns().items()}


def caseload_counts(user):
    """How many of the user's people are active and paused, for the filter and the pages: the
    people My caseload lists, counted by their open episode's status. One query."""
    by_status = {row["episode_status"]: row["n"] for row in _caseload_counts.rows(user)}
    return {
        "all": sum(by_status.values()),
        "active": by_status.get(EpisodeStatus.ACTIVE, 0),
        "paused": by_status.get(EpisodeStatus.PAUSED, 0),
    }


def caseload_counts_of(rows):
    """`caseload_counts` counted from the rows of the whole caseload, already read."""
    statuses = [row.episode_status for row in rows]
    return {
        "all": len(statuses),
        "active": statuses.count(EpisodeStatus.ACTIVE),
        "paused": statuses.count(EpisodeStatus.PAUSED),
    }


def last_contact_annotations(user=None):
    """The last contact with its author, for the contact card, on the person page's own query
    (registered by CaseloadConfig.ready())."""
    made = Contact.objects.made().filter(person=OuterRef("pk")).order_by("-occurred_at")
    fields = ("occurred_at", "kind", "author__first_name", "author__last_name", "author__username")
    return {"last_contact_record": latest_record(made, "id", *fields)}


def last_contact(person):
    """The person's last contact with its author, for the contact card: from the person page's
    own query when it carried it (`person_detail`), else one query."""
    if hasattr(person, "last_contact_record"):
        return record_from(Contact, person.last_contact_record)
    return person.contacts.made().select_related("author").first()


# --- capacity and allocation -------------------------------------------------------------------


def workers_with_load(team_id):
    """The team's navigators and peer mentors, each with `load`: the people they hold now,
    counted from current allocations on open episodes of the kind their role holds."""
    holding = Q(allocations__ended_at__isnull=True) & ~Q(
        allocations__episode__status=EpisodeStatus.CLOSED
    )
    kind_of_role = Q(role=Role.NAVIGATOR, allocations__kind=Allocation.Kind.LEAD_NAVIGATOR) | Q(
        role=Role.PEER_MENTOR, allocations__kind=Allocation.Kind.PEER_MENTOR
    )
    return (
        User.objects.filter(team_id=team_id, role__in=[Role.NAVIGATOR, Role.PEER_MENTOR])
        .annotate(load=Count("allocations", filter=holding & kind_of_role))
        .order_by("first_name", "last_name")
    )


SPECIALISMS = [s for s in Specialism if s != Specialism.NONE]


class WorkerRow(NamedTuple):
    """A worker as team capacity lists them: the staff profile's fields the page and
    `capacity_of` read, as values, not as a User. Named as the User is."""

    pk: uuid.UUID
    username: str
    first_name: str
    last_name: str
    role: str
    fte: Decimal
    planned_hours: Decimal
    specialism: str
    languages: str
    is_active: bool

    get_full_name = User.get_full_name
    __str__ = User.__str__


def _holding_of_role():
    """Current allocations on open episodes, of the kind the worker's role holds: what counts
    against a worker's capacity."""
    return Allocation.objects.holding().filter(
        Q(kind=Allocation.Kind.LEAD_NAVIGATOR, worker__role=Role.NAVIGATOR)
        | Q(kind=Allocation.Kind.PEER_MENTOR, worker__role=Role.PEER_MENTOR)
    )


def capacity_totals(team_id):
    """The team's navigator, peer-mentor and specialist totals, and how many workers of each
    role the page lists (the active ones and those who left but still hold people), from two
    aggregate queries: one over the staff profiles, one over the people held. No worker is
    loaded, so the cost does not grow with the staff as a list of them would."""
    navigators = Totals("All navigators")
    peer_mentors = Totals("All peer mentors", role=Role.PEER_MENTOR)
    specialist = {s: Totals(s.label) for s in SPECIALISMS}
    listed = {Role.NAVIGATOR: 0, Role.PEER_MENTOR: 0}
    staff = (
        User.objects.filter(
            team_id=team_id, is_active=True, role__in=[Role.NAVIGATOR, Role.PEER_MENTOR]
        )
        .values("role", "specialism")
        .annotate(fte=Sum("fte"), hours=Sum("planned_hours"), workers=Count("pk"))
        .order_by()
    )
    for row in staff:
        groups = [navigators if row["role"] == Role.NAVIGATOR else peer_mentors]
        if row["role"] == Role.NAVIGATOR and row["specialism"]:
            groups.append(specialist[Specialism(row["specialism"])])
        for totals in groups:
            totals.fte += Decimal(row["fte"])
            totals.hours += Decimal(row["hours"])
            totals.workers += row["workers"]
        listed[row["role"]] += row["workers"]
    held = (
        _holding_of_role()
        .filter(worker__team_id=team_id)
        .values("worker__role", "worker__is_active", "worker__specialism")
        .annotate(load=Count("pk"), holders=Count("worker", distinct=True))
        .order_by()
    )
    for row in held:
        role = row["worker__role"]
        groups = [navigators if role == Role.NAVIGATOR else peer_mentors]
        if row["worker__is_active"] and role == Role.NAVIGATOR and row["worker__specialism"]:
            groups.append(specialist[Specialism(row["worker__specialism"])])
        for totals in groups:
            totals.load += row["load"]
        if not row["worker__is_active"]:
            # Left, but still holding people: listed to be handed over, with no places.
            listed[role] += row["holders"]
    return {
        "navigator_totals": navigators,
        "peer_totals": peer_mentors,
        "specialist_totals": [t for t in specialist.values() if t.workers],
        "listed": listed,
    }


def capacity_list(team_id, role, left_holding):
    """The workers of one role the capacity page lists, by name: everyone active, and those who
    left but still hold people (`left_holding`, their ids from `worker_loads`, which also gives
    each one's load). A queryset of their profiles' values for `WorkerList` to read a page of."""
    return (
        User.objects.filter(team_id=team_id, role=role)
        .filter(Q(is_active=True) | Q(pk__in=left_holding))
        .order_by("first_name", "last_name", "pk")
        .values(*WorkerRow._fields)
    )


@functools.lru_cache(maxsize=64)
def _worker_page(role, start, stop):
    """The rows [start:stop] of a role's list, compiled once per process (ADR 0046): the team's
    id and the ids of those who left still holding people are its parameters. Staff profiles
    only, no person data."""
    return PreparedQuery(
        User,
        lambda team_id, *left_holding: capacity_list(team_id, role, left_holding)[start:stop],
        ids=None,
    )


class WorkerList:
    """The workers of one role the capacity page lists, for a Paginator: their number comes with
    the totals, and a page's slice reads only its rows, as WorkerRows, with a query compiled
    once per process for each page (its SQL names the page's place in the list)."""

    def __init__(self, team_id, role, *, count, loads):
        self.team_id = team_id
        self.role = role
        self.count = count
        self.left_holding = loads["left"][_KIND_HELD[role]]

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= start:
            return []
        rows = _worker_page(self.role, start, stop).rows(self.team_id, *self.left_holding)
        return [WorkerRow(**row) for row in rows]


# The role of a list is known, so the kind of allocation that counts against it is too.
_KIND_HELD = {
    Role.NAVIGATOR: Allocation.Kind.LEAD_NAVIGATOR,
    Role.PEER_MENTOR: Allocation.Kind.PEER_MENTOR,
}


def worker_loads(team_id):
    """The people each worker of the team holds, by the kind of allocation ({kind: {worker id
    as hex: count}}), and the workers who have left but still hold people ({"left": {kind:
    [ids]}}). One aggregate over the team's current allocations on open episodes; the page
    reads it from the cache (`team_capacity`), so a page of workers costs no count per worker.
    Ids and counts of staff, no person data."""
    kinds = list(_KIND_HELD.values())
    loads = {kind: {} for kind in kinds}
    loads["left"] = {kind: [] for kind in kinds}
    held = (
        Allocation.objects.holding()
        .filter(worker__team_id=team_id, kind__in=kinds)
        .values_list("worker", "kind", "worker__is_active")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for worker, kind, active, n in held:
        loads[kind][worker.hex] = n
        if not active:
            loads["left"][kind].append(worker)
    return loads


def capacity_loads(workers, loads, role):
    """Each worker of a page of a `WorkerList` (WorkerRows) with their load (from
    `worker_loads`) against capacity."""
    held = loads[_KIND_HELD[role]]
    return [
        Load(w, held.get(w.pk.hex, 0), capacity_of(w) if w.is_active else Decimal(0))
        for w in workers
    ]


@functools.lru_cache(maxsize=4)
def _name_and_target(year):
    """The team's name and the plan's target for the financial year, on one row: compiled once
    per process and year (ADR 0046), with the team's id its parameter. No person data."""
    target = PlanTarget.objects.filter(team=OuterRef("pk"), year=year).values("people")[:1]
    return PreparedQuery(
        Team,
        lambda team_id: (
            Team.objects.filter(pk=team_id)
            .annotate(target=Subquery(target))
            .values("name", "target")
        ),
    )


def team_capacity(user):
    """The team's totals and places, specialist capacity apart, how full the places are, the
    people waiting for a lead navigator and for how long, and the people a year the places
    support beside the plan's target; the workers of each role as lazy lists for the page to
    show a page of. The team-wide totals, each worker's load and the waiting episodes' ids
    come from the cache while nothing they count has changed (caseload.capacity_cache); then
    one query (the team's name and the plan's target), and one for each page of a list shown.
    Six when they are computed."""
    today = timezone.localdate()
    team_id = user.team_id
    computes = {
        "totals": lambda: capacity_totals(team_id),
        # A new name whenever what an entry holds changes: a process of the previous release
        # still running during a deploy reads and writes the old name.
        "worker_loads": lambda: worker_loads(team_id),
        "days": lambda: days_on_service(team_id, on=today),
    }
    if user.in_team:  # the team's list of people waiting: see _waiting_rows
        computes["waiting"] = lambda: _read_waiting_rows(user)
    cached = capacity_cache.totals_many(team_id, today, computes)  # at once: one round trip
    totals = cached["totals"]
    year = financial_year_of(today)
    [row] = _name_and_target(year).rows(team_id)
    team_name, target = row["name"], row["target"]
    waiting = WaitingList(user, on=today, rows=cached.get("waiting"))
    return {
        "navigators": WorkerList(
            team_id,
            Role.NAVIGATOR,
            count=totals["listed"][Role.NAVIGATOR],
            loads=cached["worker_loads"],
        ),
        "peer_mentors": WorkerList(
            team_id,
            Role.PEER_MENTOR,
            count=totals["listed"][Role.PEER_MENTOR],
            loads=cached["worker_loads"],
        ),
        "loads": cached["worker_loads"],
        "listed": totals["listed"],
        "navigator_totals": totals["navigator_totals"],
        "peer_totals": totals["peer_totals"],
        "specialist_totals": totals["specialist_totals"],
        "waiting": waiting,
        "team": TeamCapacity(
            navigators=totals["navigator_totals"],
            peer_mentors=totals["peer_totals"],
            waiting=waiting.summary,
            days_on_service=cached["days"],
            year=year,
            target=target,
        ),
        "team_name": team_name,
    }


class WaitingList:
    """The episodes waiting for a lead navigator, longest waiting first, read once as ids and
    dates: their number and waits (`summary`) come from those, and a Paginator's slice reads
    only the episodes of the page shown, with their people.

    For team staff, whose scope is the whole team's people, the ids and dates are kept in the
    cache under the team capacity generation (caseload.capacity_cache), which every write that
    changes who waits bumps: an allocation, an episode, a person. They are ids, not person
    data: the page's rows are read afresh through the viewer's scope, and checked again to
    have no lead. Anyone with a narrower scope reads them directly."""

    def __init__(self, user, *, on, rows=None):
        self.user = user
        rows = _waiting_rows(user, on=on) if rows is None else rows
        self.ids = [pk for pk, _ in rows]
        waits = [(on - accepted_on).days for _, accepted_on in rows]
        self.summary = WaitingSummary()
        if waits:
            self.summary = WaitingSummary(
                count=len(waits),
                mean_days=(Decimal(sum(waits)) / len(waits)).quantize(Decimal("0.1")),
                longest_days=max(waits),
            )

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        ids = self.ids[index]
        if not ids:
            return []
        if self.user.in_team:
            # Team staff's scope is their team's people who are not erased, whoever they are:
            # the page's query is compiled once, with the team's id and the page's ids as its
            # parameters (ADR 0046).
            rows = _waiting_page.rows(self.user.team_id, *ids)
        else:
            rows = awaiting_allocation(self.user, among=ids).values(*WAITING_ROW_VALUES)
        return [WaitingRow(*(row[name] for name in WAITING_ROW_VALUES)) for row in rows]


# What a row of people waiting shows: the link to the person and their name, how long they have
# waited, and the episode's status; read as values, not as the people's records.
WAITING_ROW_VALUES = (
    "pk",
    "person_id",
    "person__first_name",
    "person__last_name",
    "person__known_as",
    "accepted_on",
    "status",
)


class WaitingRow(NamedTuple):
    """An episode waiting for a lead navigator, as team capacity lists it. Its name is the
    person's, as `Person.display_name` gives it."""

    episode: uuid.UUID
    person: uuid.UUID
    first_name: str
    last_name: str
    known_as: str
    accepted_on: datetime.date
    status: str

    display_name = Person.display_name
    __str__ = Person.__str__


def _waiting_page_of_team(team_id, *among):
    """A page of the episodes waiting (`among`) as any member of the team `team_id` reads it:
    `awaiting_allocation` for a member standing in for the viewer. For team staff,
    `Person.objects.visible_to` reads nothing of the user but their team (tests compare its SQL
    for each team role of two teams), so the team's id is the whole scope, and a parameter of
    the compiled query like the page's ids."""
    member = User(role=Role.TEAM_LEADER, team_id=team_id)
    return awaiting_allocation(member, among=among).values(*WAITING_ROW_VALUES)


_waiting_page = PreparedQuery(Episode, _waiting_page_of_team, ids=None)


def _read_waiting_rows(user):
    return list(awaiting_allocation(user).values_list("pk", "accepted_on"))


def _waiting_rows(user, *, on):
    if not user.in_team:  # a scope narrower than the team's (or none): never shared
        return _read_waiting_rows(user)
    # Team staff see exactly the team's people who are not erased (Person.visible_to), so one
    # list serves every one of them, and only them: the key is their team's.
    return capacity_cache.totals(user.team_id, "waiting", on, lambda: _read_waiting_rows(user))


def waiting_summary(episodes, *, on):
    """How many episodes are waiting, the mean and the longest wait in days from acceptance to
    `on`. One query."""
    waited = Value(on, output_field=DateField()) - F("accepted_on")
    row = episodes.order_by().aggregate(
        count=Count("pk"), mean=Avg(waited), first=Min("accepted_on")
    )
    if not row["count"]:
        return WaitingSummary()
    return WaitingSummary(
        count=row["count"],
        mean_days=_days(row["mean"]).quantize(Decimal("0.1")),
        longest_days=(on - row["first"]).days,
    )


def _days(duration):
    """A mean of date differences as days: a timedelta, or microseconds where the database
    gives a number."""
    seconds = (
        duration.total_seconds() if hasattr(duration, "total_seconds") else duration / 1_000_000
    )
    return Decimal(str(seconds)) / 86400


def days_on_service(team_id, *, on):
    """The average days from start to end of the team's episodes closed on or before `on`,
    once there are CAPACITY_CLOSED_EPISODES_NEEDED of them; the setting until then. One
    query."""
    row = (
        Episode.objects.filter(
            person__team_id=team_id,
            status=EpisodeStatus.CLOSED,
            start_date__isnull=False,
            end_date__lte=on,
        )
        .order_by()
        .aggregate(closed=Count("pk"), mean=Avg(F("end_date") - F("start_date")))
    )
    needed = settings.CAPACITY_CLOSED_EPISODES_NEEDED
    if row["closed"] and row["closed"] >= needed:
        days = _days(row["mean"]).quantize(Decimal("0.1"))
        return DaysOnService(days=days, closed=row["closed"], needed=needed, own=True)
    return DaysOnService(
        days=Decimal(settings.CAPACITY_AVERAGE_DAYS_ON_SERVICE),
        closed=row["closed"],
        needed=needed,
        own=False,
    )


def plan_target(team_id, year):
    """The plan's target of people supported in the financial year, or None. One query."""
    return (
        PlanTarget.objects.filter(team_id=team_id, year=year)
        .values_list("people", flat=True)
        .first()
    )


def staff_at(team_id, moment):
    """The team's active navigators and peer mentors as their profiles stood at `moment`: each
    worker's latest version by then (ADR 0019), so a change of FTE, hours, role, team or
    leaving after it does not alter a figure as at it."""
    versions = User.history.model.objects
    latest = (
        versions.filter(id=OuterRef("id"), history_date__lte=moment)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return (
        versions.filter(history_date__lte=moment, history_id=Subquery(latest))
        .exclude(history_type="-")
        .filter(team_id=team_id, is_active=True, role__in=[Role.NAVIGATOR, Role.PEER_MENTOR])
    )


def waiting_at(team_id, moment):
    """The team's episodes open at `moment` with no lead navigator then."""
    day = timezone.localtime(moment).date()
    led = Allocation.objects.filter(
        episode=OuterRef("pk"),
        kind=Allocation.Kind.LEAD_NAVIGATOR,
        started_at__lte=moment,
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=moment))
    return (
        Episode.objects.filter(person__team_id=team_id, accepted_on__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .exclude(Exists(led))
    )


def team_capacity_at(team, moment):
    """The team's capacity as it stood at `moment` (a quarter's end): places from the staff
    profiles of the time, the allocations held and the people waiting then, the average days
    on service from the episodes closed by then, and the target for that financial year."""
    day = timezone.localtime(moment).date()
    navigators = Totals("Navigators")
    peer_mentors = Totals("Peer mentors", role=Role.PEER_MENTOR)
    for version in staff_at(team.pk, moment).only("role", "fte", "planned_hours"):
        totals = navigators if version.role == Role.NAVIGATOR else peer_mentors
        totals.fte += version.fte
        totals.hours += version.planned_hours
        totals.workers += 1
    held = (
        Allocation.objects.filter(episode__person__team=team, started_at__lte=moment)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=moment))
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in held:
        if row["kind"] == Allocation.Kind.LEAD_NAVIGATOR:
            navigators.load = row["n"]
        elif row["kind"] == Allocation.Kind.PEER_MENTOR:
            peer_mentors.load = row["n"]
    year = financial_year_of(day)
    return TeamCapacity(
        navigators=navigators,
        peer_mentors=peer_mentors,
        waiting=waiting_summary(waiting_at(team.pk, moment), on=day),
        days_on_service=days_on_service(team.pk, on=day),
        year=year,
        target=plan_target(team.pk, year),
    )


def awaiting_allocation(user, *, among=None):
    """Open episodes in the user's scope with no current lead navigator, longest waiting first;
    with `among`, only those of these episodes (a page of them)."""
    led = Allocation.objects.current().filter(kind=Allocation.Kind.LEAD_NAVIGATOR)
    episodes = Episode.objects.open().filter(person__in=Person.objects.visible_to(user))
    if among is None:
        # NOT IN over the current leads' episodes, not a correlated NOT EXISTS: PostgreSQL then
        # hashes the leads once instead of probing them for every open episode before the
        # page's LIMIT (100 ms rather than 165 ms for list and count at 100x).
        episodes = episodes.exclude(pk__in=led.values("episode_id"))
    else:
        # A page of ids: NOT EXISTS probes the allocations' episode index once for each of
        # them, where NOT IN would hash every current lead of every team (1 ms, not 10, at
        # 100x).
        episodes = episodes.filter(pk__in=among).exclude(Exists(led.filter(episode=OuterRef("pk"))))
    # The id last: episodes accepted on one day and made at one moment (an import, a seed) are
    # then in the same order, and on the same page, on every view.
    return episodes.select_related("person").order_by("accepted_on", "created_at", "pk")


def preferences(person):
    """What the person said about who they would like to work with, in words."""
    said = []
    if person.worker_gender_preference == WorkerGender.WOMAN:
        said.append("a woman worker")
    elif person.worker_gender_preference == WorkerGender.MAN:
        said.append("a man worker")
    if person.wants_lived_experience:
        said.append("someone with lived experience")
    language = person.preferred_language.strip()
    if language and language.lower() != "english":
        said.append(f"someone who speaks {language}")
    return said


def _matches(person, worker):
    """How a worker fits the person's stated preferences and needs, in words."""
    fits = []
    wanted = person.worker_gender_preference
    if wanted and worker.gender == wanted:
        fits.append("a woman, as asked" if wanted == WorkerGender.WOMAN else "a man, as asked")
    if person.wants_lived_experience and (
        worker.role == Role.PEER_MENTOR or worker.specialism == Specialism.LIVED_EXPERIENCE
    ):
        fits.append("lived experience, as asked")
    language = person.preferred_language.strip().lower()
    if language not in {"", "english"} and language in {n.lower() for n in worker.language_list}:
        fits.append(f"speaks {person.preferred_language.strip()}")
    if worker.specialism == Specialism.WOMEN and person.gender == Gender.WOMAN:
        fits.append("women's specialist")
    if worker.specialism == Specialism.ETHNIC_MINORITY and is_ethnic_minority(person.ethnicity):
        fits.append("ethnic minority communities specialist")
    return fits


def allocation_candidates(person, kind):
    """Active workers who could take the person, best fit first, then most free places. One
    query."""
    workers = workers_with_load(person.team_id).filter(role=KIND_ROLE[kind], is_active=True)
    candidates = [Load(w, w.load, capacity_of(w), _matches(person, w)) for w in workers]
    candidates.sort(key=lambda c: (-len(c.matches), c.full, -c.free))
    return candidates


def person_allocation(person):
    """The person's open episode with its current allocations by kind, or (None, {})."""
    episode = person.episodes.open().first()
    if episode is None:
        return None, {}
    current = {
        a.kind: a for a in episode.allocations.current().select_related("worker", "allocated_by")
    }
    return episode, current


def allocation_history(person):
    """Every allocation the person has had, newest first, with who made it and why."""
    return (
        Allocation.objects.filter(episode__person=person)
        .select_related(
            "worker", "allocated_by", "ended_by", "handed_over_from__worker", "handed_over_to"
        )
        .order_by("-started_at")
    )


def contact_detail(user, person_pk, pk):
    """A contact on a person the user may see, with its earlier versions; None otherwise."""
    return (
        Contact.objects.filter(person__in=Person.objects.visible_to(user), person_id=person_pk)
        .select_related("person", "author", "follow_up_done_by")
        .prefetch_related("agencies", "versions__edited_by")
        .filter(pk=pk)
        .first()
    )
