from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from caseload.models import Episode, EpisodeStatus, Person
from referrals.models import EligibilityDecision, Referral
from rights.models import RetentionReview


def add_years(day, years):
    """The same day `years` later (or earlier, negative); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Due:
    person_id: object
    last_involvement_on: date
    due_on: date


def _latest(rows):
    return {pid: value for pid, value in rows if value is not None}


def _day(value):
    return timezone.localdate(value) if hasattr(value, "tzinfo") else value


def due_for_erasure(team, *, today=None, years=None, people=None):
    """The people of a team whose record is past the retention period today (ADR 0017).

    A person is due when they have no open episode, no referral waiting for a decision, and
    their last involvement ended more than `years` (RETENTION_YEARS) ago. Their last
    involvement is the latest of: the end date of any episode, and the receipt of and decision
    on any of their referrals (so someone never supported, whose referral was declined or
    withdrawn, is counted from that). A record with neither episodes nor referrals counts
    from the day it was made. Already erased records are not listed again. Five queries.
    """
    today = today or timezone.localdate()
    years = settings.RETENTION_YEARS if years is None else years
    candidates = (people if people is not None else Person.objects.all()).filter(team=team)
    candidates = candidates.not_erased().exclude(
        Exists(Episode.objects.open().filter(person=OuterRef("pk")))
    )
    candidates = candidates.exclude(
        Exists(Referral.objects.awaiting_decision().filter(person=OuterRef("pk")))
    )
    created = dict(candidates.values_list("pk", "created_at"))
    if not created:
        return []
    ends = _latest(
        Episode.objects.filter(person__in=candidates, status=EpisodeStatus.CLOSED)
        .values("person")
        .annotate(last=Max("end_date"))
        .order_by()
        .values_list("person", "last")
    )
    received = _latest(
        Referral.objects.filter(person__in=candidates)
        .values("person")
        .annotate(last=Max("created_at"))
        .order_by()
        .values_list("person", "last")
    )
    decided = _latest(
        EligibilityDecision.objects.filter(referral__person__in=candidates)
        .values("referral__person")
        .annotate(last=Max("decided_at"))
        .order_by()
        .values_list("referral__person", "last")
    )
    due = []
    for pid, made in created.items():
        dates = [_day(d[pid]) for d in (ends, received, decided) if pid in d]
        last = max(dates) if dates else _day(made)
        due_on = add_years(last, years)
        # "More than N years ago": the day after the anniversary at the earliest.
        if due_on < today:
            due.append(Due(pid, last, due_on))
    due.sort(key=lambda d: (d.due_on, str(d.person_id)))
    return due


def retention_list(user):
    """The team's people waiting for a manager's decision, with their names to confirm by."""
    return (
        RetentionReview.objects.filter(team_id=user.team_id, status=RetentionReview.Status.DUE)
        .filter(person__in=Person.objects.visible_to(user))
        .select_related("person")
    )


def recently_erased(user, limit=20):
    return (
        RetentionReview.objects.filter(team_id=user.team_id, status=RetentionReview.Status.ERASED)
        .select_related("decided_by")
        .order_by("-decided_at")[:limit]
    )
