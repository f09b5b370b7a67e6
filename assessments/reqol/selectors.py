"""ReQoL-10 reads: the current definition, a person's records and panel, change over time."""

from dataclasses import dataclass

from django.db.models import Count, Subquery

from assessments.reqol.models import (
    ReqolDefinition,
    ReqolRecord,
)


def current_definition():
    """The wording new records use, with its items; None until one is loaded."""
    return ReqolDefinition.objects.filter(is_current=True).prefetch_related("items").first()


# --- reading -----------------------------------------------------------------------------------


def person_records(user, person):
    """The person's ReQoL-10 records, oldest first, with their answers and items."""
    return list(
        ReqolRecord.objects.visible_to(user)
        .filter(person=person)
        .select_related("recorded_by", "definition")
        .prefetch_related("answers__item")
        .order_by("completed_on", "created_at")
    )


@dataclass
class ReqolPanel:
    available: bool
    acknowledgement: str
    latest_total: int | None
    latest_on: object
    count: int


def person_panel(person):
    """What the person page shows about ReQoL-10, in one query: whether wording is loaded
    (and its acknowledgement), and the person's latest total and how many they have."""
    latest = ReqolRecord.objects.filter(person=person).order_by("-completed_on", "-created_at")
    row = (
        ReqolDefinition.objects.filter(is_current=True)
        .annotate(
            latest_total=Subquery(latest.values("total")[:1]),
            latest_on=Subquery(latest.values("completed_on")[:1]),
            record_count=Subquery(
                ReqolRecord.objects.filter(person=person)
                .order_by()
                .values("person")
                .annotate(n=Count("pk"))
                .values("n")
            ),
        )
        .values("acknowledgement", "latest_total", "latest_on", "record_count")
        .first()
    )
    if row is None:
        return ReqolPanel(False, "", None, None, 0)
    return ReqolPanel(
        True,
        row["acknowledgement"],
        row["latest_total"],
        row["latest_on"],
        row["record_count"] or 0,
    )


def reqol_change(episodes, *, until=None):
    """Baseline (first) against latest ReQoL-10 total per episode with two or more records
    completed on or before `until`: {"count", "mean_change", "improved"} where a rise is an
    improvement. One query."""
    records = ReqolRecord.objects.filter(episode__in=episodes)
    if until is not None:
        records = records.filter(completed_on__lte=until)
    by_episode = {}
    for episode_id, total in records.order_by(
        "episode_id", "completed_on", "created_at"
    ).values_list("episode_id", "total"):
        by_episode.setdefault(episode_id, []).append(total)
    changes = [totals[-1] - totals[0] for totals in by_episode.values() if len(totals) >= 2]
    if not changes:
        return {"count": 0, "mean_change": None, "improved": 0}
    return {
        "count": len(changes),
        "mean_change": round(sum(changes) / len(changes), 1),
        "improved": sum(1 for c in changes if c > 0),
    }
