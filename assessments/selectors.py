"""Reads on assessments: a person's NDT history, review due dates and change over time."""

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from assessments.models import (
    MAX_LEVEL,
    Assessment,
    AssessmentCorrection,
    AssessmentScheme,
    ItemScore,
    SchemeItem,
)
from caseload.models import Episode, EpisodeStatus
from caseload.selectors import latest_record
from smd.prepared import PreparedQuery, ScopedQuery


def person_annotations(user):
    """The NDT card's latest completed assessment in the open episode, as the card shows it,
    with how many there are (`of`: a change since the baseline needs two), on the person
    page's own query (registered with caseload.selectors by AssessmentsConfig.ready())."""
    completed = (
        Assessment.objects.completed()
        .filter(person=OuterRef("pk"))
        .exclude(episode__status=EpisodeStatus.CLOSED)
        .order_by("-assessed_on", "-created_at")
    )
    fields = ("id", "episode_id", "assessed_on", "standard_total", "total")
    return {
        "ndt_latest": latest_record(
            completed, *fields, "scheme__comparable_to_id", of=Window(Count("pk"))
        )
    }


def current_schemes():
    """The current version of each scheme family, amended first, with items loaded."""
    schemes = AssessmentScheme.objects.filter(is_current=True).prefetch_related("items")
    return sorted(schemes, key=lambda s: s.comparable_to_id is None)


def scheme_for_new(code=None):
    """The scheme a new assessment uses: the current amended one unless another is chosen."""
    schemes = current_schemes()
    chosen = [s for s in schemes if s.code == code] if code else []
    return (chosen or schemes or [None])[0]


def _scores_prefetch():
    return Prefetch("scores", queryset=ItemScore.objects.select_related("item"))


def assessment_detail(user, person, pk):
    """One assessment of a person the user may see, with scores, items and corrections."""
    return (
        Assessment.objects.visible_to(user)
        .filter(person=person, pk=pk)
        .select_related("scheme__comparable_to", "assessor", "episode")
        .prefetch_related(
            _scores_prefetch(),
            "scheme__items",
            "scheme__comparable_to__items",
            Prefetch(
                "corrections",
                queryset=AssessmentCorrection.objects.select_related("corrected_by"),
            ),
        )
        .first()
    )


@dataclass
class History:
    assessments: list  # every assessment of the person, newest first
    completed: list  # completed ones in date order, oldest first
    change: "EpisodeChange | None"  # baseline vs latest in the current (or latest) episode
    review: "ReviewStatus | None"
    amended_max: int | None = None  # the largest maximum of the amended versions used


def person_history(user, person):
    """Everything the NDT history page shows, in a fixed number of queries."""
    assessments = list(
        Assessment.objects.visible_to(user)
        .filter(person=person)
        .select_related("scheme", "assessor", "episode")
        .order_by("-assessed_on", "-created_at")
    )
    completed = sorted(
        (a for a in assessments if a.status == Assessment.Status.COMPLETED),
        key=lambda a: (a.assessed_on, a.created_at),
    )
    episodes = sorted({a.episode for a in assessments}, key=lambda e: e.accepted_on)
    open_episode = next(
        (e for e in person.episodes.all() if e.status != EpisodeStatus.CLOSED), None
    )
    episode = open_episode or (episodes[-1] if episodes else None)
    in_episode = [a for a in completed if episode and a.episode_id == episode.pk]
    change = (
        ndt_changes([episode], with_items=True).get(episode.pk) if len(in_episode) >= 2 else None
    )
    review = (
        review_status(open_episode, in_episode[-1].assessed_on if in_episode else None)
        if open_episode
        else None
    )
    amended = {a.scheme_id for a in completed if a.is_amended}
    scales = _scales() if amended else {}
    amended_max = max((scales[pk].max_total for pk in amended), default=None)
    return History(assessments, completed, change, review, amended_max)


@dataclass
class ReviewStatus:
    due_on: date
    days: int  # until due; negative when overdue
    baseline_done: bool

    @property
    def overdue(self):
        return self.days < 0

    @property
    def text(self):
        what = "NDT review" if self.baseline_done else "NDT baseline"
        if self.days > 0:
            return f"{what} due in {self.days} day{'s' if self.days != 1 else ''}"
        if self.days == 0:
            return f"{what} due today"
        late = -self.days
        return f"{what} overdue by {late} day{'s' if late != 1 else ''}"


def review_status(episode, latest_assessed_on, today=None):
    """When the next NDT is due for an open episode: a baseline is due from the episode's
    start; each review falls due NDT_REVIEW_INTERVAL_WEEKS after the latest completed one."""
    return review_status_from(episode.start_date or episode.accepted_on, latest_assessed_on, today)


def review_status_from(episode_began, latest_assessed_on, today=None):
    today = today or timezone.localdate()
    if latest_assessed_on is None:
        due = episode_began
    else:
        due = latest_assessed_on + timedelta(weeks=settings.NDT_REVIEW_INTERVAL_WEEKS)
    return ReviewStatus(due, (due - today).days, latest_assessed_on is not None)


def caseload_columns():
    """My caseload's latest completed NDT in the open episode, for "NDT review due", and how
    many completed NDTs the open episode has: a change needs two, so a row with fewer asks
    nothing more (registered with caseload.selectors by AssessmentsConfig.ready())."""
    # Filtered on the person directly: an OuterRef inside a further subquery would bind to the
    # assessment, not the person.
    in_open_episode = (
        Assessment.objects.completed()
        .filter(person=OuterRef("pk"))
        .exclude(episode__status=EpisodeStatus.CLOSED)
    )
    latest_ndt = in_open_episode.order_by("-assessed_on").values("assessed_on")[:1]
    completed = in_open_episode.order_by().values("person").annotate(n=Count("pk")).values("n")[:1]
    return {
        "ndt_latest_on": Subquery(latest_ndt),
        "ndt_completed": Coalesce(Subquery(completed), Value(0)),
    }


# --- change over time --------------------------------------------------------------------------
# Every page and figure that shows an NDT change takes it from `ndt_changes` (ADR 0020): change is
# measured on the later assessment's scheme version. When the baseline used another version, its
# item answers are re-scored under the later one; when it has no answer for one of the later
# version's items, the pair is not comparable and is left out (and counted where figures are).


@dataclass(frozen=True)
class Scale:
    """A scheme version as a change is measured on it."""

    id: object
    name: str
    version: int
    max_total: int
    comparable_to_id: object  # None for a standard scheme

    def __str__(self):
        return f"{self.name} version {self.version} (0–{self.max_total})"


@dataclass
class Comparison:
    """Baseline and latest on one scale (standard or amended), on the later assessment's version.

    `baseline_total` is the baseline on that version: its stored total when both assessments used
    the version, else its item answers re-scored under it; None when it has no answer for one of
    the version's items (`missing`), so the two cannot be compared."""

    baseline_id: object
    latest_id: object
    baseline_on: date
    latest_on: date
    baseline_scale: Scale  # the version the baseline was scored under
    scale: Scale  # the version the change is measured on: the latest's
    baseline_stored: int  # the baseline's own total, as stored at completion
    latest_total: int
    baseline_total: int | None = None
    missing: tuple = ()  # titles of the later version's items the baseline never scored
    items: list = field(default_factory=list)  # (title, before, after, change) when asked for

    @property
    def comparable(self):
        return self.baseline_total is not None

    @property
    def rescored(self):
        return self.baseline_scale != self.scale

    @property
    def change(self):
        """Latest minus baseline on one version; negative is less need. None if not comparable."""
        return None if self.baseline_total is None else self.latest_total - self.baseline_total


@dataclass
class EpisodeChange:
    """An episode's change from baseline to latest NDT, on the standard and the amended scale."""

    episode_id: object
    person_id: object
    accepted_on: date
    standard: Comparison | None  # first and last completed assessments, any scheme
    amended: Comparison | None  # first and last amended assessments

    @property
    def main(self):
        """The comparison a page leads with: amended where there is one, else standard."""
        return self.amended or self.standard


# The scheme versions with their weights: the same query for anyone, compiled once per
# process and day (ADR 0043); read afresh at each call. For `ndt_changes` and the history; the
# compiled window queries bring the scales of their rows' versions with them (`_scales_of`).
_schemes = ScopedQuery(
    AssessmentScheme,
    lambda _anyone: AssessmentScheme.objects.annotate(weights=Sum("items__weight")).values_list(
        "id", "name", "version", "weights", "comparable_to_id"
    ),
)


def _scales():
    return {
        pk: Scale(pk, name, version, (weights or 0) * MAX_LEVEL, comparable_to)
        for pk, name, version, weights, comparable_to in _schemes.rows(None)
    }


@functools.cache
def _firsts_and_lasts_of():
    """Completed assessments, only each episode's first and latest and its first and latest on
    the amended scheme, with how many there are of each, found in window passes: an episode
    reviewed every quarter for years sends four rows, not all of them. The same for every
    call, so built once per process and never evaluated itself: `ndt_changes` narrows it to
    its episodes (and date), which the database applies before the windows are counted."""
    amended = ExpressionWrapper(Q(scheme__comparable_to__isnull=False), BooleanField())
    # The order is total (the id breaks every tie), so the latest is the one numbered as many
    # as there are: one sort for each partition, not a second in the reverse order for each.
    oldest = [F("assessed_on").asc(), F("created_at").asc(), F("id").asc()]
    episode, scale = [F("episode_id")], [F("episode_id"), amended]
    return (
        Assessment.objects.completed()
        .annotate(
            nth=Window(RowNumber(), partition_by=episode, order_by=oldest),
            of=Window(Count("id"), partition_by=episode),
            nth_on_scale=Window(RowNumber(), partition_by=scale, order_by=oldest),
            of_on_scale=Window(Count("id"), partition_by=scale),
        )
        .filter(Q(nth=1) | Q(nth=F("of")) | Q(nth_on_scale=1) | Q(nth_on_scale=F("of_on_scale")))
        .order_by("episode_id", "assessed_on", "created_at", "id")
    )


def _firsts_and_lasts():
    """`_firsts_and_lasts_of()` as rows of `_FIRSTS_AND_LASTS`."""
    return _firsts_and_lasts_of().values_list(*_FIRSTS_AND_LASTS)


def _scheme_weights(scheme):
    """The sum of the items' weights of the scheme version `scheme` (an outer reference)."""
    return Subquery(
        SchemeItem.objects.filter(scheme=scheme)
        .order_by()
        .values("scheme")
        .annotate(weights=Sum("weight"))
        .values("weights")[:1]
    )


@functools.cache
def _firsts_and_lasts_with_scales():
    """`_firsts_and_lasts()` with each row's scheme version and its standard version (the one
    it is comparable to, or itself) as `_scales_of` reads them: the scales come with the rows,
    not from a query of their own. Built once per process, never evaluated itself."""
    standard = Coalesce(OuterRef("scheme__comparable_to_id"), OuterRef("scheme_id"))
    return _firsts_and_lasts_of().annotate(
        scheme_weights=_scheme_weights(OuterRef("scheme_id")),
        standard_id=Coalesce("scheme__comparable_to_id", "scheme_id"),
        standard_name=Coalesce("scheme__comparable_to__name", "scheme__name"),
        standard_version=Coalesce("scheme__comparable_to__version", "scheme__version"),
        standard_weights=_scheme_weights(standard),
    )


_FIRSTS_AND_LASTS = (
    "id",
    "episode_id",
    "person_id",
    "episode__accepted_on",
    "scheme_id",
    "total",
    "standard_total",
    "assessed_on",
    "of",
    "of_on_scale",
)
# After `_FIRSTS_AND_LASTS`, in `_firsts_and_lasts_with_scales`' rows: the row's scheme version
# and its standard version, for `_scales_of`.
_SCALES = (
    "scheme__name",
    "scheme__version",
    "scheme_weights",
    "scheme__comparable_to_id",
    "standard_id",
    "standard_name",
    "standard_version",
    "standard_weights",
    "scheme__comparable_to__comparable_to_id",
)

# Where a row's scheme version and its scales are (`_scales_of`).
_SCHEME_AT = _FIRSTS_AND_LASTS.index("scheme_id")
_SCALES_AT = len(_FIRSTS_AND_LASTS)

# One episode's rows of the window query: compiled once per process, run with the episode's id
# (ADR 0039), for the pages that show one episode's change (the person page, the MDT case).
_one_episodes_firsts_and_lasts = PreparedQuery(
    Episode,
    lambda pk: (
        _firsts_and_lasts_with_scales().filter(episode=pk).values(*_FIRSTS_AND_LASTS, *_SCALES)
    ),
)


def ndt_change(episode_id):
    """The episode's EpisodeChange, or None with fewer than two completed NDTs: what
    `ndt_changes([episode_id])` gives for it, its query compiled once per process."""
    rows = [
        tuple(row[name] for name in (*_FIRSTS_AND_LASTS, *_SCALES))
        for row in _one_episodes_firsts_and_lasts.rows(episode_id)
    ]
    return _changes(rows, with_items=False, scales=_scales_of(rows)).get(episode_id)


# The rows of the open episodes of some people, for My caseload's list or one of its rows:
# compiled once per process and number of people, run with their ids (ADR 0043). The ids are
# those of rows the user's scoped caseload query returned.
_open_episodes_firsts_and_lasts = ScopedQuery(
    Assessment,
    lambda _anyone, *people: (
        _firsts_and_lasts_with_scales()
        .filter(episode__in=Episode.objects.open().filter(person__in=people))
        .values_list(*_FIRSTS_AND_LASTS, *_SCALES)
    ),
)


def ndt_changes_in_open_episodes(people):
    """`ndt_changes(Episode.objects.open().filter(person__in=people))` for a list of person ids,
    its query compiled once per process and number of ids."""
    rows = _open_episodes_firsts_and_lasts.rows(None, *people)
    return _changes(rows, with_items=False, scales=_scales_of(rows))


def ndt_changes(episodes, *, until=None, with_items=False):
    """{episode id: EpisodeChange} for the episodes with two or more completed NDTs (up to
    `until`), each measured like with like; `with_items` adds the item-by-item rows. The one
    place a change from baseline to latest is worked out. At most four queries, however many
    episodes."""
    completed = _firsts_and_lasts().filter(episode__in=episodes)
    if until:
        completed = completed.filter(assessed_on__lte=until)
    return _changes(list(completed), with_items=with_items)


def _scales_of(rows):
    """What `_changes` needs of the scheme versions, from rows of
    `_firsts_and_lasts_with_scales` (each scheme version in them and its standard version), as
    `_changes` works it out from `_scales()` for those versions: the same values, read with the
    rows in one query instead of two (ADR 0048)."""
    scales, standard_scale = {}, {}
    for row in rows:
        pk = row[_SCHEME_AT]
        if pk in scales:
            continue
        (
            name,
            version,
            weights,
            comparable_to,
            standard_id,
            std_name,
            std_version,
            std_weights,
            std_comparable_to,
        ) = row[_SCALES_AT : _SCALES_AT + len(_SCALES)]
        scales[pk] = Scale(pk, name, version, (weights or 0) * MAX_LEVEL, comparable_to)
        standard_scale[pk] = Scale(
            standard_id, std_name, std_version, (std_weights or 0) * MAX_LEVEL, std_comparable_to
        )
    return scales, standard_scale


def _changes(rows, *, with_items, scales=None):
    """{episode id: EpisodeChange} from the window query's rows (`_firsts_and_lasts`);
    `scales` is `_scales_of(rows)` when the rows carry their scheme versions, else they are
    read (`_scales()`)."""
    if not rows:
        return {}
    if scales is None:
        scales = _scales()
        # Each scheme's standard scale, worked out once for the few schemes rather than for
        # each of the rows (tens of thousands at 100x).
        standard_scale = {
            pk: scales[scale.comparable_to_id or scale.id] for pk, scale in scales.items()
        }
    else:
        scales, standard_scale = scales
    amended_schemes = {pk for pk, scale in scales.items() if scale.comparable_to_id is not None}

    def compare(first, last, *, amended):
        if amended:
            before, after = scales[first[4]], scales[last[4]]
            stored, latest = first[5], last[5]
        else:
            before, after = standard_scale[first[4]], standard_scale[last[4]]
            stored, latest = first[6], last[6]
        return Comparison(
            baseline_id=first[0],
            latest_id=last[0],
            baseline_on=first[7],
            latest_on=last[7],
            baseline_scale=before,
            scale=after,
            baseline_stored=stored,
            latest_total=latest,
            baseline_total=None if before != after else stored,
        )

    changes = {}
    for episode_id, group in groupby(rows, key=itemgetter(1)):
        group = list(group)
        if group[0][8] < 2:
            continue
        amended = [r for r in group if r[4] in amended_schemes]
        changes[episode_id] = EpisodeChange(
            episode_id=episode_id,
            person_id=group[0][2],
            accepted_on=group[0][3],
            standard=compare(group[0], group[-1], amended=False),
            amended=(
                compare(amended[0], amended[-1], amended=True)
                if amended and amended[0][9] >= 2
                else None
            ),
        )
    comparisons = [c for change in changes.values() for c in (change.standard, change.amended) if c]
    _rescore_and_itemise(comparisons, with_items=with_items)
    return changes


def _rescore_and_itemise(comparisons, *, with_items):
    """Re-score each baseline scored under another version under the later one, and add the
    item rows when asked; two queries, and none when no comparison needs either."""
    needed = [c for c in comparisons if with_items or c.rescored]
    if not needed:
        return
    ids = {c.baseline_id for c in needed} | ({c.latest_id for c in needed} if with_items else set())
    answers = defaultdict(dict)
    for assessment_id, key, score in ItemScore.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "item__key", "score"
    ):
        answers[assessment_id][key] = score
    items = defaultdict(list)
    for scheme_id, key, title, weight in (
        SchemeItem.objects.filter(scheme_id__in={c.scale.id for c in needed})
        .order_by("scheme_id", "position")
        .values_list("scheme_id", "key", "title", "weight")
    ):
        items[scheme_id].append((key, title, weight))
    for c in needed:
        before = answers[c.baseline_id]
        if c.rescored:
            c.missing = tuple(
                title for key, title, _ in items[c.scale.id] if before.get(key) is None
            )
            if not c.missing:
                c.baseline_total = sum(before[key] * weight for key, _, weight in items[c.scale.id])
        if with_items:
            after = answers[c.latest_id]
            # Each item weighted as the later version weights it, so a changed weight is no change.
            c.items = [
                (
                    title,
                    before[key] * weight,
                    after[key] * weight,
                    (after[key] - before[key]) * weight,
                )
                for key, title, weight in items[c.scale.id]
                if before.get(key) is not None and after.get(key) is not None
            ]
