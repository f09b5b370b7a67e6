"""Reads on assessments: a person's NDT history, review due dates and change over time."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from assessments.models import Assessment, AssessmentCorrection, AssessmentScheme, ItemScore
from caseload.models import EpisodeStatus
from smd.characteristics import Ethnicity, Gender, is_ethnic_minority


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
class Change:
    baseline: Assessment
    latest: Assessment

    @property
    def total(self):
        return self.latest.total - self.baseline.total

    @property
    def standard(self):
        return self.latest.standard_total - self.baseline.standard_total

    @property
    def same_scheme(self):
        return self.latest.scheme_id == self.baseline.scheme_id

    def items(self):
        """(title, baseline weighted, latest weighted, change) for the items both scored."""
        before = {s.item.key: s for s in self.baseline.scores.all()}
        rows = []
        for score in self.latest.scores.all():
            old = before.get(score.item.key)
            if old is None or old.weighted is None or score.weighted is None:
                continue
            rows.append(
                (score.item.title, old.weighted, score.weighted, score.weighted - old.weighted)
            )
        return rows


@dataclass
class History:
    assessments: list  # every assessment of the person, newest first
    completed: list  # completed ones in date order, oldest first
    change: Change | None  # baseline vs latest in the current (or latest) episode
    review: "ReviewStatus | None"


def person_history(user, person):
    """Everything the NDT history page shows, in a fixed number of queries."""
    assessments = list(
        Assessment.objects.visible_to(user)
        .filter(person=person)
        .select_related("scheme", "assessor", "episode")
        .prefetch_related(_scores_prefetch())
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
    change = Change(in_episode[0], in_episode[-1]) if len(in_episode) >= 2 else None
    review = (
        review_status(open_episode, in_episode[-1].assessed_on if in_episode else None)
        if open_episode
        else None
    )
    return History(assessments, completed, change, review)


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


def latest_completed_on(episodes):
    """{episode id: date of its latest completed NDT} for many episodes, in one query."""
    rows = (
        Assessment.objects.completed()
        .filter(episode__in=episodes)
        .values_list("episode_id", "assessed_on")
        .order_by("episode_id", "assessed_on")
    )
    return {episode_id: assessed_on for episode_id, assessed_on in rows}


# --- reporting ---------------------------------------------------------------------------------


def _first_or_last(field, *, last, until, amended):
    completed = Assessment.objects.completed().filter(episode=OuterRef("pk"))
    if until:
        completed = completed.filter(assessed_on__lte=until)
    if amended:
        completed = completed.filter(scheme__comparable_to__isnull=False)
    order = ("-assessed_on", "-created_at") if last else ("assessed_on", "created_at")
    return Subquery(completed.order_by(*order).values(field)[:1])


def baseline_and_latest(episodes, *, until=None, amended=False):
    """Episodes annotated with baseline and latest NDT totals (first and last completed
    assessment up to `until`); `amended=True` uses amended totals from amended assessments only,
    otherwise the standard 0-48 total every assessment has."""
    field = "total" if amended else "standard_total"
    return episodes.annotate(
        baseline_id=_first_or_last("id", last=False, until=until, amended=amended),
        latest_id=_first_or_last("id", last=True, until=until, amended=amended),
        baseline_total=_first_or_last(field, last=False, until=until, amended=amended),
        latest_total=_first_or_last(field, last=True, until=until, amended=amended),
    ).filter(baseline_id__isnull=False)


@dataclass
class ChangeSummary:
    people: int  # episodes with a baseline and a later assessment
    mean_change: float | None  # latest minus baseline; negative is better (less need)
    improved: int  # latest total below baseline

    @property
    def share_improved(self):
        return self.improved / self.people if self.people else None


def _summarise(rows):
    changes = [r["latest_total"] - r["baseline_total"] for r in rows]
    return ChangeSummary(
        people=len(changes),
        mean_change=sum(changes) / len(changes) if changes else None,
        improved=sum(1 for c in changes if c < 0),
    )


def ndt_change(episodes, *, until=None, amended=False):
    """Mean change and share improved from baseline to latest NDT, for all people and split by
    gender and by ethnicity (White British vs ethnic minority). An episode counts once it has
    two completed assessments; a lower NDT total means less need, so a fall is an improvement.

    Returns {"all": ChangeSummary, "gender": {label: ...}, "ethnicity": {label: ...},
    "rows": [one dict per episode counted]}.
    """
    rows = [
        r
        for r in baseline_and_latest(episodes, until=until, amended=amended).values(
            "baseline_id",
            "latest_id",
            "baseline_total",
            "latest_total",
            "person_id",
            "accepted_on",
            "person__gender",
            "person__ethnicity",
        )
        if r["baseline_id"] != r["latest_id"]
    ]
    genders = dict(Gender.choices)
    by_gender, by_ethnicity = defaultdict(list), defaultdict(list)
    ethnicity_labels = {True: "Ethnic minority", False: Ethnicity.WHITE_BRITISH.label}
    for r in rows:
        by_gender[genders[r["person__gender"]]].append(r)
        minority = is_ethnic_minority(r["person__ethnicity"])
        label = ethnicity_labels.get(minority, "Not recorded")
        by_ethnicity[label].append(r)
    return {
        "all": _summarise(rows),
        "gender": {k: _summarise(v) for k, v in sorted(by_gender.items())},
        "ethnicity": {k: _summarise(v) for k, v in sorted(by_ethnicity.items())},
        "rows": rows,
    }
