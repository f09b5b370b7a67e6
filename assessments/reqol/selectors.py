"""ReQoL-10 reads: the current definition, and a person's records and panel."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Subquery

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


def person_annotations(user=None):
    """What the person page shows about ReQoL-10, as subqueries on the person's own query
    (registered with caseload.selectors by AssessmentsConfig.ready()): whether wording is loaded
    (and its acknowledgement), and the person's latest total and how many they have."""
    current = ReqolDefinition.objects.filter(is_current=True)
    latest = ReqolRecord.objects.filter(person=OuterRef("pk")).order_by(
        "-completed_on", "-created_at"
    )
    return {
        "reqol_loaded": Exists(current),
        "reqol_acknowledgement": Subquery(current.values("acknowledgement")[:1]),
        "reqol_latest_total": Subquery(latest.values("total")[:1]),
        "reqol_latest_on": Subquery(latest.values("completed_on")[:1]),
        "reqol_count": Subquery(
            ReqolRecord.objects.filter(person=OuterRef("pk"))
            .order_by()
            .values("person")
            .annotate(n=Count("pk"))
            .values("n")
        ),
    }


def person_panel(person):
    """What the person page shows about ReQoL-10: from the person page's own query when it
    carried it (person_annotations), else in one query."""
    if hasattr(person, "reqol_loaded"):
        if not person.reqol_loaded:
            return ReqolPanel(False, "", None, None, 0)
        return ReqolPanel(
            True,
            person.reqol_acknowledgement,
            person.reqol_latest_total,
            person.reqol_latest_on,
            person.reqol_count or 0,
        )
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
