"""Domestic-abuse reads: the current wording, a person's risk and MARAC status, when the next
checklist is due, My caseload's columns and actions, and the quarterly return's figures."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from caseload.models import EventKind, Person, ServiceEvent, records_of
from caseload.selectors import latest_record, record_from
from domestic_abuse.models import (
    DashChecklist,
    DashDefinition,
    MaracAction,
    MaracReferral,
    RiskLevel,
)
from sharing.selectors import partner_may_be_told
from smd.prepared import PreparedQuery

DA_EVENT_KINDS = [EventKind.DOMESTIC_ABUSE_INCIDENT, EventKind.DOMESTIC_ABUSE_POLICE]


def current_definition():
    """The wording new checklists use, with its questions; None until one is loaded."""
    return DashDefinition.objects.filter(is_current=True).prefetch_related("questions").first()


@dataclass(frozen=True)
class Due:
    """When the next checklist is due, and why."""

    on: date | None
    reason: str
    overdue: bool


def due_after(latest, incident_on, *, today=None):
    """The next checklist's due date from the latest one (None: never done) and the latest
    domestic-abuse incident: at once after an incident (or an incident and no checklist yet),
    else DASH_REVIEW_WEEKS on; None when there is neither."""
    today = today or timezone.localdate()
    if latest is None:
        if incident_on is None:
            return None
        return Due(on=incident_on, reason=f"incident on {incident_on:%-d %b %Y}", overdue=True)
    if incident_on is not None and incident_on > latest.completed_on:
        return Due(on=incident_on, reason=f"new incident on {incident_on:%-d %b %Y}", overdue=True)
    on = latest.completed_on + timedelta(weeks=settings.DASH_REVIEW_WEEKS)
    return Due(on=on, reason="review", overdue=on < today)


def person_summary(person, user):
    """The person's domestic-abuse risk and MARAC status, for their page: the latest checklist,
    the latest referral with its open actions, and when the checklist is due. All three come
    with the person page's own query (person_annotations); for a person read elsewhere, three
    queries."""
    if hasattr(person, "da_latest"):
        latest = record_from(DashChecklist, person.da_latest)
        if latest is not None:
            latest.high_because = person.da_high_because
        referral = record_from(MaracReferral, person.da_referral)
        incident_on = person.da_incident_on
    else:
        latest = (
            records_of(DashChecklist.objects, person, user)
            .select_related("assessor", "definition")
            .order_by(*LATEST_CHECKLIST)
            .first()
        )
        incident_on = (
            ServiceEvent.objects.filter(person=person, kind__in=DA_EVENT_KINDS)
            .order_by("-occurred_on")
            .values_list("occurred_on", flat=True)
            .first()
        )
        referral = (
            records_of(MaracReferral.objects, person, user)
            .annotate(open_actions=_open_actions())
            .order_by(*LATEST_REFERRAL)
            .first()
        )
    return {
        "latest": latest,
        "due": due_after(latest, incident_on),
        "incident_on": incident_on,
        "referral": referral,
        "prompt_marac": latest is not None
        and latest.risk_level == RiskLevel.HIGH
        and not (referral and referral.referred_on >= latest.completed_on),
    }


LATEST_CHECKLIST = ("-completed_on", "-created_at")
LATEST_REFERRAL = ("-referred_on", "-created_at")


def _open_actions():
    """A referral's open actions, counted as a subquery on the referral."""
    actions = MaracAction.objects.open().filter(referral=OuterRef("pk")).order_by()
    return Coalesce(Subquery(actions.values("referral").annotate(n=Count("pk")).values("n")), 0)


def person_history(person, user):
    """Every checklist (with answers and questions) and every MARAC referral (with actions)."""
    checklists = list(
        DashChecklist.objects.visible_to(user)
        .filter(person=person)
        .select_related("assessor", "definition")
        .prefetch_related("answers__question")
    )
    referrals = list(
        MaracReferral.objects.visible_to(user)
        .filter(person=person)
        .select_related("referred_by", "checklist")
        .prefetch_related("actions__owner", "actions__owner_organisation")
    )
    return checklists, referrals


def case_summary(item, user):
    """The domestic-abuse risk and MARAC status on an MDT case: team staff always, a partner
    only while the person's sharing lets their organisation be told (sharing.selectors). None
    when the user may not see it. One query, or two for a partner."""
    person_id, team_id = item.person_id, item.meeting.team_id
    if not user.in_team:
        allowed = (
            Person.objects.filter(pk=person_id)
            .filter(partner_may_be_told(user.organisation_id, person=person_id, team=team_id))
            .exists()
        )
        if not allowed:
            return None
    elif user.team_id != team_id:
        return None
    found = _case_card_query.rows(person_id)
    row = found[0] if found else {"latest": None, "referral": None}
    latest = record_from(DashChecklist, row["latest"])
    if latest is not None:
        latest.high_because = row["high_because"]  # JSON: a column of its own
    return {"latest": latest, "referral": record_from(MaracReferral, row["referral"])}


def _case_card(pk):
    """The person `pk`'s latest checklist and MARAC referral, with what the MDT case's card
    shows of them, as one row: each record a JSON object (`latest_record`), the checklist's
    reasons for high risk apart."""
    checklists = DashChecklist.objects.filter(person=OuterRef("pk")).order_by(*LATEST_CHECKLIST)
    referrals = MaracReferral.objects.filter(person=OuterRef("pk")).order_by(*LATEST_REFERRAL)
    return Person.objects.filter(pk=pk).values(
        latest=latest_record(
            checklists, "risk_level", "completed_on", "yes_count", "definition__acknowledgement"
        ),
        high_because=Subquery(checklists.values("high_because")[:1]),
        referral=latest_record(referrals, "referred_on", "heard_on", "marac", "is_repeat"),
    )


# One person's rows, nothing of the user or the date: compiled once per process (ADR 0039) and
# run only after case_summary has decided the user may see the card.
_case_card_query = PreparedQuery(Person, _case_card)


def person_annotations(user):
    """The domestic-abuse card's values on the person page's own query (registered with
    caseload.selectors by DomesticAbuseConfig.ready()): the latest checklist (what the card
    shows of it, its reasons for high risk apart, as a JSON column is not read back from a JSON
    object), the latest MARAC referral with its open actions, and the date of the latest
    domestic-abuse incident."""
    checklists = DashChecklist.objects.filter(person=OuterRef("pk")).order_by(*LATEST_CHECKLIST)
    referrals = MaracReferral.objects.filter(person=OuterRef("pk")).order_by(*LATEST_REFERRAL)
    incidents = ServiceEvent.objects.filter(person=OuterRef("pk"), kind__in=DA_EVENT_KINDS)
    return {
        "da_latest": latest_record(
            checklists,
            *("id", "completed_on", "risk_level", "yes_count", "definition__acknowledgement"),
        ),
        "da_high_because": Subquery(checklists.values("high_because")[:1]),
        "da_referral": latest_record(
            referrals,
            *("id", "referred_on", "marac", "is_repeat", "heard_on"),
            open_actions=_open_actions(),
        ),
        "da_incident_on": Subquery(incidents.order_by("-occurred_on").values("occurred_on")[:1]),
    }


# --- My caseload -------------------------------------------------------------------------------


def caseload_columns():
    """My caseload's domestic-abuse risk (the latest checklist's level) and open MARAC actions:
    subqueries, registered with caseload.selectors by DomesticAbuseConfig.ready()."""
    latest = DashChecklist.objects.filter(person=OuterRef("pk")).order_by(
        "-completed_on", "-created_at"
    )
    actions = MaracAction.objects.open().filter(person=OuterRef("pk")).values("person")
    return {
        "da_risk_level": Subquery(latest.values("risk_level")[:1]),
        "open_marac_actions": Coalesce(
            Subquery(actions.annotate(n=Count("pk")).values("n")[:1]), Value(0)
        ),
    }


def marac_actions_owned_by(user):
    """The open MARAC actions the user owns, of people they may see, soonest due first. This is
    the query reminders use: owner, due date, and done (`done_at` empty while open)."""
    return (
        MaracAction.objects.open()
        .filter(owner=user, person__in=Person.objects.visible_to(user))
        .select_related("person", "owner", "owner_organisation", "referral")
        .order_by(*MaracAction._meta.ordering)
    )


# --- the quarterly return ----------------------------------------------------------------------


def checklists_in(team, start, end):
    """(person id, risk level) of each checklist completed in the period, in the team."""
    return list(
        DashChecklist.objects.filter(
            person__team=team, completed_on__gte=start, completed_on__lte=end
        ).values_list("person_id", "risk_level")
    )


def high_risk_at(team, on):
    """Ids of the team's people whose latest checklist on or before `on` gave high risk."""
    latest = DashChecklist.objects.filter(person=OuterRef("person"), completed_on__lte=on).order_by(
        "-completed_on", "-created_at"
    )
    return set(
        DashChecklist.objects.filter(person__team=team, completed_on__lte=on)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .filter(risk_level=RiskLevel.HIGH)
        .values_list("person_id", flat=True)
    )


def risk_levels_on(people, on):
    """{person id: risk level} of the latest checklist on or before `on`, for each of `people`
    (a queryset) who had one by then: the level in force that day. One query."""
    latest = DashChecklist.objects.filter(person=OuterRef("person"), completed_on__lte=on).order_by(
        "-completed_on", "-created_at"
    )
    return dict(
        DashChecklist.objects.filter(person__in=people, completed_on__lte=on)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .values_list("person_id", "risk_level")
    )


def marac_referral_counts(people, start, end):
    """{person id: (referrals made in the period, how many of them were repeats)}, for those of
    `people` (a queryset) referred in it. One query."""
    return {
        person_id: (n, repeats)
        for person_id, n, repeats in MaracReferral.objects.filter(
            person__in=people, referred_on__gte=start, referred_on__lte=end
        )
        .values("person_id")
        .annotate(n=Count("pk"), repeats=Count("pk", filter=Q(is_repeat=True)))
        .order_by()
        .values_list("person_id", "n", "repeats")
    }


def marac_referrals_in(team, start, end):
    """(person id, is repeat) of each MARAC referral made in the period, in the team."""
    return list(
        MaracReferral.objects.filter(
            person__team=team, referred_on__gte=start, referred_on__lte=end
        ).values_list("person_id", "is_repeat")
    )


def survivors_without_checklist(team, survivor_ids):
    """Of these domestic-abuse survivors (ids of the team's own people), those with no checklist
    at all, in their order. One query: the team's people with a checklist, far fewer than its
    survivors, are taken from them (at 100× the survivors were 13,000 people, whom a subquery
    or a list of ids made the database walk again)."""
    checked = set(
        DashChecklist.objects.filter(person__team=team)
        .order_by()
        .values_list("person_id", flat=True)
        .distinct()
    )
    return [pid for pid in survivor_ids if pid not in checked]


def overdue_after_incident(team, on):
    """The team's people with a domestic-abuse incident after their latest checklist (or with
    an incident and never a checklist), as at `on`."""
    latest_on = (
        DashChecklist.objects.filter(person=OuterRef("person"), completed_on__lte=on)
        .order_by("-completed_on")
        .values("completed_on")[:1]
    )
    return sorted(
        set(
            ServiceEvent.objects.filter(
                person__team=team, kind__in=DA_EVENT_KINDS, occurred_on__lte=on
            )
            .annotate(last_dash=Subquery(latest_on))
            .filter(Q(last_dash__isnull=True) | Q(occurred_on__gt=F("last_dash")))
            .values_list("person_id", flat=True)
        ),
        key=str,
    )
