"""What a token may read: the records of its own team's people (never an erased person), and
the team's figures. Every API endpoint reads through here, so the team scope is written once."""

import uuid

from django.db.models import Prefetch, Q

from assessments.models import Assessment, ItemScore, ReqolAnswer, ReqolRecord
from caseload.models import (
    AccommodationChange,
    Allocation,
    Contact,
    Episode,
    Person,
    ServiceEvent,
)
from mdt.selectors import mdt_figures
from referrals.models import EligibilityDecision, Referral
from returns.models import QuarterlyReturn
from smd.pseudonyms import pseudonym


def person_ref(token, person_id):
    """How a person is named to this token: their pseudonym for its purpose, or (identifiable
    tokens only) their record's id."""
    if token.identifiable:
        return str(person_id)
    return pseudonym(person_id, token.pseudonym_purpose)


def people(token):
    return Person.objects.filter(team_id=token.team_id).not_erased()


def person_id_for(token, ref):
    """The id of the team's person this token names `ref`, or None."""
    if token.identifiable:
        try:
            wanted = uuid.UUID(str(ref))
        except ValueError:
            return None
        return people(token).filter(pk=wanted).values_list("pk", flat=True).first()
    # A pseudonym cannot be reversed, only recomputed: one HMAC per person in the team.
    for pk in people(token).values_list("pk", flat=True).iterator():
        if person_ref(token, pk) == ref:
            return pk
    return None


def person(token, ref):
    pk = person_id_for(token, ref)
    return None if pk is None else people(token).get(pk=pk)


def _of_people(queryset, token, ref):
    queryset = queryset.filter(person__in=people(token))
    if ref:
        queryset = queryset.filter(person_id=person_id_for(token, ref))
    return queryset


def episodes(token, ref=None):
    return _of_people(Episode.objects.all(), token, ref).order_by("accepted_on", "id")


def allocations(token, ref=None):
    queryset = Allocation.objects.filter(episode__person__in=people(token))
    if ref:
        queryset = queryset.filter(episode__person_id=person_id_for(token, ref))
    return queryset.select_related("episode", "worker").order_by("started_at", "id")


def contacts(token, ref=None):
    return (
        _of_people(Contact.objects.select_related("author"), token, ref)
        .prefetch_related("agencies")
        .order_by("occurred_at", "id")
    )


def assessments(token, ref=None):
    scores = ItemScore.objects.select_related("item").order_by("item__position")
    return (
        _of_people(Assessment.objects.completed().select_related("scheme"), token, ref)
        .prefetch_related(Prefetch("scores", queryset=scores))
        .order_by("assessed_on", "id")
    )


def reqol(token, ref=None):
    answers = ReqolAnswer.objects.select_related("item").order_by("item__position")
    return (
        _of_people(ReqolRecord.objects.select_related("definition"), token, ref)
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("completed_on", "id")
    )


def crisis_events(token, ref=None):
    return _of_people(ServiceEvent.objects.all(), token, ref).order_by("occurred_on", "id")


def accommodation(token, ref=None):
    return _of_people(AccommodationChange.objects.all(), token, ref).order_by("from_date", "id")


def referrals(token, ref=None):
    """The team's referrals: those not yet linked to anyone, and those of its (not erased)
    people, each with its eligibility decisions."""
    queryset = Referral.objects.filter(team_id=token.team_id).filter(
        Q(person__isnull=True) | Q(person__in=people(token))
    )
    if ref:
        queryset = queryset.filter(person_id=person_id_for(token, ref))
    decisions = EligibilityDecision.objects.order_by("decided_at", "id")
    return (
        queryset.select_related("referrer_organisation", "episode")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
        .order_by("created_at", "id")
    )


def team_mdt_figures(token, quarter):
    """The team's MDT figures for a quarter, without the people behind them."""
    figures = mdt_figures(token.team, quarter.start, quarter.end)
    figures.pop("person_ids", None)
    return figures


def built_returns(token, quarter=None):
    """The team's quarterly returns that finished building, newest version first."""
    returns = QuarterlyReturn.objects.filter(
        team_id=token.team_id, status=QuarterlyReturn.Status.DONE
    )
    if quarter:
        returns = returns.filter(quarter=quarter.label)
    return returns.order_by("-quarter", "-version")
