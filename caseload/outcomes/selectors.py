"""Reads on support plans and outcomes: a person's plan and records, and the counts the
quarterly return reuses (events by period, this quarter against the person's first, where
people live at a date, personal budgets, Outcomes Stars).

Figures for many people aggregate in the database: each takes a queryset of people (already
scoped by the caller, e.g. `Person.objects.visible_to(user)`) and costs a fixed number of
queries however many people it covers.
"""

import functools
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncQuarter
from django.utils import timezone

from caseload.models import (
    EVENT_UNITS,
    AccommodationChange,
    Allocation,
    BudgetSpend,
    Episode,
    EventKind,
    Goal,
    GoalReview,
    Money,
    OutcomesStarRecord,
    Person,
    PersonalBudget,
    ServiceEvent,
    was_read_for,
)
from smd.prepared import PreparedQuery
from smd.quarters import Quarter

# --- event counts ------------------------------------------------------------------------------


# Read once: a choices class builds its list of values anew each time it is asked, and a
# return makes two EventCounts for every active person.
_EVENT_KINDS = tuple(EventKind.values)


def _zero_counts():
    return dict.fromkeys(_EVENT_KINDS, 0)


@dataclass
class EventCounts:
    """Counts by event kind: occurrences, or days and nights summed for stays."""

    counts: dict = field(default_factory=_zero_counts)

    def __getitem__(self, kind):
        return self.counts[kind]

    def rows(self):
        """(kind, label, unit, count) for every kind, in the order the return lists them."""
        return [
            (kind, label, EVENT_UNITS.get(kind, ""), self.counts[kind])
            for kind, label in EventKind.choices
        ]

    def nonzero(self):
        return [row for row in self.rows() if row[3]]


def event_counts(people, start, end):
    """{person id: EventCounts} for events dated from `start` to `end` inclusive. People with
    no events in the period are absent. One query."""
    rows = (
        ServiceEvent.objects.filter(person__in=people, occurred_on__range=(start, end))
        .values("person_id", "kind")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    found = {}
    for row in rows:
        found.setdefault(row["person_id"], EventCounts()).counts[row["kind"]] = row["total"]
    return found


def _first_episodes(people):
    # "At most 1" is "1" for a row number, but PostgreSQL guesses that a third of the rows
    # pass it where it guesses 0.5% pass "= 1": with that guess it joined the events to a
    # hundred first episodes by looping over the events' index for each, instead of hashing
    # seventeen thousand (0.25-0.3 s against 0.35-0.4 s at 100x under EXPLAIN ANALYZE).
    return (
        Episode.objects.filter(person__in=people)
        .annotate(
            nth=Window(
                RowNumber(),
                partition_by=F("person_id"),
                order_by=[F("accepted_on").asc(), F("created_at").asc()],
            )
        )
        .filter(nth__lte=1)
    )


def first_episodes(people):
    """The first episode of each of the people (the earliest accepted, the earlier recorded on
    a tie), as ids for `__in`: one window pass over their episodes. A correlated subquery per
    person, or per record, asks the same of the index once for every row it is joined to."""
    return _first_episodes(people).values("id")


def _by_first_and_this_quarter(events, quarter):
    """(person id, kind, sum in the person's first quarter, sum in `quarter`) of the events
    dated in either, each event joined to its person's first episode (`person__episodes`)
    or to none. An event is in the person's first quarter when the event and the person's
    start fall in the same quarter. Financial quarters begin on calendar-quarter days (1
    April, July, October, January), so the database's quarter truncation says it in one
    condition."""
    in_first = Q(first_quarter=F("event_quarter"))
    in_this = Q(occurred_on__range=(quarter.start, quarter.end))
    return (
        events.annotate(
            first_quarter=TruncQuarter(
                Coalesce("person__episodes__start_date", "person__episodes__accepted_on")
            ),
            event_quarter=TruncQuarter("occurred_on"),
        )
        .filter(in_first | in_this)
        .values("person_id", "kind")
        .annotate(
            first=Sum(
                Case(When(in_first, then="quantity"), default=Value(0)), output_field=IntegerField()
            ),
            this=Sum(
                Case(When(in_this, then="quantity"), default=Value(0)), output_field=IntegerField()
            ),
        )
        .order_by()
        .values_list("person_id", "kind", "first", "this")
    )


@dataclass
class EventComparison:
    """One person's events in a quarter against their first quarter on the programme."""

    person_id: object
    first_quarter: Quarter | None
    quarter: Quarter
    first: EventCounts
    this: EventCounts

    def rows(self):
        """(label, unit, first quarter's count, this quarter's) for every kind."""
        return [
            (label, unit, first, self.this[kind])
            for (kind, label, unit, first) in self.first.rows()
        ]

    @property
    def comparable(self):
        """Two different quarters: the person started before this one."""
        return self.first_quarter is not None and self.first_quarter < self.quarter


def event_comparison(people, quarter):
    """For each person, their events in `quarter` against those in their first quarter on the
    programme (the quarter holding their earliest episode's start). Two queries: the people's
    start dates, then every event of both kinds of quarter in one aggregate."""
    # Each person joined to their first episode only (or to none, with no episode), so every
    # row below is one person's, or one event's, once.
    first = first_episodes(people)
    on_first = Q(episodes__in=first) | Q(episodes__isnull=True)
    began = Coalesce("episodes__start_date", "episodes__accepted_on")
    starts = dict(people.order_by().filter(on_first).values_list("pk", began).distinct())
    quarters = {began: Quarter.containing(began) for began in set(starts.values()) if began}
    first_quarters = {pk: quarters.get(began) for pk, began in starts.items()}
    results = {
        pk: EventComparison(pk, first, quarter, EventCounts(), EventCounts())
        for pk, first in first_quarters.items()
    }
    if not results:
        return results
    events = ServiceEvent.objects.filter(person__in=people).filter(
        Q(person__episodes__in=first) | Q(person__episodes__isnull=True)
    )
    for person_id, kind, in_first, in_this in _by_first_and_this_quarter(events, quarter):
        found = results.get(person_id)
        if found is None:
            continue
        found.first.counts[kind] = in_first or 0
        found.this.counts[kind] = in_this or 0
    return results


def events_against_first_quarter(people, quarter):
    """What `event_comparison` says of the people it can compare, for many people at once
    (the return's): the ids of those whose first quarter came before `quarter`, and the rows
    (person id, kind, first quarter's sum, this quarter's) of the people's kinds of event
    dated in either, with no object per person. Two queries: the starts of the people's
    first episodes in one window pass, then the aggregate `event_comparison` reads."""
    began = Coalesce("start_date", "accepted_on")
    starts = _first_episodes(people).order_by().values_list("person_id", began)
    # The first quarter came before this one: the start fell before this quarter's first day.
    compared = [pk for pk, day in starts if day is not None and day < quarter.start]
    if not compared:
        return compared, []
    # Only the people with a first episode can be compared, and a first episode is one of
    # the people's own: the events need no other test of whose they are.
    events = ServiceEvent.objects.filter(person__episodes__in=first_episodes(people))
    return compared, list(_by_first_and_this_quarter(events, quarter))


# --- accommodation -----------------------------------------------------------------------------


def accommodation_on(people, day):
    """{person id: AccommodationStatus value or None} for where each person lived on `day`:
    the latest change dated on or before it. One query."""
    latest = (
        AccommodationChange.objects.filter(person=OuterRef("pk"), from_date__lte=day)
        .order_by("-from_date", "-created_at")
        .values("status")[:1]
    )
    return dict(people.order_by().annotate(status=Subquery(latest)).values_list("pk", "status"))


def accommodation_history(person):
    """Every change of where the person lives, newest first, with who recorded it."""
    return AccommodationChange.objects.filter(person=person).select_related("recorded_by")


# --- personal budgets --------------------------------------------------------------------------


def person_budgets(person):
    """The person's budgets, newest first, each with `spent`, `balance` and its spends."""
    return (
        PersonalBudget.objects.filter(person=person)
        .with_balance()
        .select_related("offered_by", "episode")
        .prefetch_related(
            Prefetch(
                "spends",
                queryset=BudgetSpend.objects.select_related("approved_by", "recorded_by"),
            )
        )
    )


# --- Outcomes Stars ----------------------------------------------------------------------------


def outcomes_star_count(people, start, end):
    """How many Outcomes Stars were completed (elsewhere) by the people in the period, and by
    how many people. One query."""
    return OutcomesStarRecord.objects.filter(
        person__in=people, completed_on__range=(start, end)
    ).aggregate(stars=Count("pk"), people=Count("person", distinct=True))


# --- the support plan --------------------------------------------------------------------------


def support_plan(person):
    """The person's goals: open ones first (soonest review first), then finished ones, each
    with its reviews and who made them."""
    goals = list(
        Goal.objects.filter(person=person)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("reviews", queryset=GoalReview.objects.select_related("reviewed_by"))
        )
    )
    current = sorted((g for g in goals if g.is_open), key=lambda g: (g.review_on, g.created_at))
    finished = sorted((g for g in goals if not g.is_open), key=lambda g: g.updated_at, reverse=True)
    return current, finished


def lead_navigator(person):
    """The person's current lead navigator, for the plan they keep; None without one."""
    lead = (
        Allocation.objects.current()
        .filter(episode__person=person, kind=Allocation.Kind.LEAD_NAVIGATOR)
        .select_related("worker")
        .first()
    )
    return lead.worker if lead else None


# --- the person page ---------------------------------------------------------------------------


PERSON_OUTCOMES = (
    "open_goal_count",
    "next_review",
    "goal_count",
    "home_status",
    "home_since",
    "budget_offered",
    "budget_balance",
    "star_count",
    "last_star",
)


def _count_per_person(records):
    """How many of `records` are about the person, as a subquery on the person (0 for none)."""
    per_person = records.filter(person=OuterRef("pk")).order_by().values("person")
    return Coalesce(Subquery(per_person.annotate(n=Count("pk")).values("n")), 0)


def person_outcome_annotations(user=None):
    """The plan and outcomes cards' values as subqueries on the person: open goals and the
    next review, where they live now and since when, the open episode's budget balance, and
    how many Outcomes Stars are recorded. The person page's own query carries them
    (registered with caseload.selectors by CaseloadConfig.ready())."""
    latest_home = AccommodationChange.objects.filter(person=OuterRef("pk")).order_by(
        "-from_date", "-created_at"
    )
    open_goals = Goal.objects.open().filter(person=OuterRef("pk"))
    open_budget = (
        PersonalBudget.objects.filter(person=OuterRef("pk"))
        .exclude(episode__status="closed")
        .with_balance()
    )
    money = Money()
    return {
        "open_goal_count": _count_per_person(Goal.objects.open()),
        "next_review": Subquery(open_goals.order_by("review_on").values("review_on")[:1]),
        "goal_count": _count_per_person(Goal.objects.all()),
        "home_status": Subquery(latest_home.values("status")[:1]),
        "home_since": Subquery(latest_home.values("from_date")[:1]),
        "budget_offered": Subquery(open_budget.values("amount_offered")[:1], output_field=money),
        "budget_balance": Subquery(open_budget.values("balance")[:1], output_field=money),
        "star_count": _count_per_person(OutcomesStarRecord.objects.all()),
        "last_star": Subquery(
            OutcomesStarRecord.objects.filter(person=OuterRef("pk"))
            .order_by("-completed_on")
            .values("completed_on")[:1]
        ),
    }


def person_outcomes(person):
    """What the person page's plan and outcomes cards show: read from the person when its query
    carried them (caseload.selectors.person_detail), else one query."""
    if all(hasattr(person, name) for name in PERSON_OUTCOMES):
        return {name: getattr(person, name) for name in PERSON_OUTCOMES}
    return (
        Person.objects.filter(pk=person.pk)
        .annotate(**person_outcome_annotations())
        .values(*PERSON_OUTCOMES)
        .get()
    )


def this_quarter(today=None):
    return Quarter.containing(today or timezone.localdate())


def person_events(person):
    """The person's events, newest first, with who recorded them."""
    return ServiceEvent.objects.filter(person=person).select_related("recorded_by")


def person_event_comparison(person, quarter):
    """`event_comparison` for one person, for their events page."""
    return event_comparison(Person.objects.filter(pk=person.pk), quarter).get(person.pk)


def first_quarter_of(person):
    """The quarter of the person's earliest episode's start (or acceptance); None without one.
    Reads the page's prefetched episodes when there are any."""
    earliest = min(person.episodes.all(), key=lambda e: (e.accepted_on, e.created_at), default=None)
    if earliest is None:
        return None
    return Quarter.containing(earliest.start_date or earliest.accepted_on)


@functools.lru_cache(maxsize=2)
def _counts_in(start, end):
    """One person's event counts from `start` to `end`, as `event_counts` counts them, compiled
    once per process for the quarter (the dates are the key: a new quarter compiles anew)."""
    return PreparedQuery(
        ServiceEvent,
        lambda pk: (
            ServiceEvent.objects.filter(person_id=pk, occurred_on__range=(start, end))
            .values("kind")
            .annotate(total=Sum("quantity"))
            .order_by()
        ),
    )


def events_panel(person, user=None):
    """The person page's events card: this quarter's counts. One query, compiled once per
    process and quarter when the person was read for `user`."""
    quarter = this_quarter()
    if was_read_for(person, user):
        counts = EventCounts()
        for row in _counts_in(quarter.start, quarter.end).rows(person.pk):
            counts.counts[row["kind"]] = row["total"]
        return {"quarter": quarter, "quarter_counts": counts}
    found = event_counts(Person.objects.filter(pk=person.pk), quarter.start, quarter.end)
    return {"quarter": quarter, "quarter_counts": found.get(person.pk) or EventCounts()}
