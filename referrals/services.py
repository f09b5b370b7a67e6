"""Writes on referrals. Each runs in one transaction: all of it happens or none of it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseload.models import Episode, EpisodeStatus, Person
from referrals.models import ELIGIBILITY_THRESHOLD, EligibilityDecision, Referral
from smd.outbox.services import outbox_add
from smd.submission import once_per_submission
from smd.versioning import UNCHECKED, version_claim

Outcome = EligibilityDecision.Outcome
ACCEPTED = {Outcome.ELIGIBLE, Outcome.DISCRETION}


def _same_referral(first, *, referral, **_):
    # The public form is not signed in, so its page may come back from the browser's cache
    # (Back, to refer someone else): only the same person, sent again, is a repeat.
    return (first.first_name, first.last_name, first.date_of_birth, first.why_now) == (
        referral.first_name,
        referral.last_name,
        referral.date_of_birth,
        referral.why_now,
    )


@transaction.atomic
@once_per_submission(Referral, same=_same_referral)
def referral_submit(*, referral, submission_key=None):
    """Store a complete, validated referral and tell the team that it arrived (an outbox
    message in the same transaction, handed to Celery after commit). The same form sent again
    returns the referral it made, and nobody is told twice."""
    referral.submission_key = submission_key
    referral.full_clean()
    referral.save()
    outbox_add(
        task="referrals.tasks.referral_notify_team", kwargs={"referral_id": str(referral.pk)}
    )
    return referral


# A referral that was not accepted can be reconsidered (new information, a withdrawn person
# coming back); an accepted one is final here, and its episode's ending belongs to the caseload.
OPEN_TO_DECISION = {Referral.Status.NEW, Referral.Status.NOT_ELIGIBLE, Referral.Status.WITHDRAWN}


def _assert_undecided(referral):
    if referral.status not in OPEN_TO_DECISION:
        raise ValidationError("This referral has been accepted: its decision is final.")


@transaction.atomic
@transaction.atomic
def referral_link_person(*, referral, person, by, seen_version=UNCHECKED):
    """Link a referral to an existing person of the same team (a confirmed match)."""
    version_claim(record=referral, seen=seen_version)
    _assert_undecided(referral)
    if person.team_id != referral.team_id:
        raise ValidationError("That person belongs to another team.")
    referral.person = person
    referral.save(update_fields=["person", "updated_at"])
    return referral


@transaction.atomic
@once_per_submission(
    Person, same=lambda person, *, referral, **_: person.team_id == referral.team_id
)
def referral_create_person(*, referral, by, seen_version=UNCHECKED, submission_key=None):
    """Create a new person record from what the referral says, and link it. The button pressed
    twice makes one person."""
    version_claim(record=referral, seen=seen_version)
    _assert_undecided(referral)
    person = Person(
        team=referral.team,
        first_name=referral.first_name,
        last_name=referral.last_name,
        known_as=referral.known_as,
        date_of_birth=referral.date_of_birth,
        nhs_number=referral.nhs_number,
        contact_notes=referral.contact_details,
        submission_key=submission_key,
    )
    if referral.gender:
        person.gender = referral.gender
    if referral.ethnicity:
        person.ethnicity = referral.ethnicity
    person.full_clean()
    person.save()
    referral.person = person
    referral.save(update_fields=["person", "updated_at"])
    return person


def decision_errors(*, referral, outcome, reason, signposted_to):
    """Field errors for a decision, as {field: message}; empty when it may be recorded."""
    errors = {}
    count = referral.disadvantage_count
    if outcome == Outcome.ELIGIBLE and count < ELIGIBILITY_THRESHOLD:
        errors["outcome"] = (
            f"Only {count} of 5 disadvantages are recorded. Choose “accept on discretion” "
            "and give a reason, or decide not eligible."
        )
    if outcome == Outcome.DISCRETION and count >= ELIGIBILITY_THRESHOLD:
        errors["outcome"] = (
            f"{count} of 5 disadvantages are recorded, so the referral is eligible: "
            "choose “eligible”."
        )
    if outcome in {Outcome.DISCRETION, Outcome.NOT_ELIGIBLE} and not reason.strip():
        errors["reason"] = "Give the reason for this decision."
    if outcome == Outcome.NOT_ELIGIBLE and not signposted_to.strip():
        errors["signposted_to"] = "Say where the person was signposted."
    if referral.status != Referral.Status.NEW and not reason.strip():
        errors["reason"] = "Say why the decision is being reconsidered."
    if outcome in ACCEPTED and referral.person_id is None:
        errors["outcome"] = (
            "Link this referral to an existing person or create a new person record first."
        )
    return errors


@transaction.atomic
@once_per_submission(
    EligibilityDecision, same=lambda decision, *, referral, **_: decision.referral_id == referral.pk
)
def referral_decide(
    *,
    referral,
    outcome,
    by,
    reason="",
    signposted_to="",
    seen_version=UNCHECKED,
    submission_key=None,
):
    """Record a decision (appended to the history, never overwriting one) and, on acceptance,
    open an episode."""
    version_claim(record=referral, seen=seen_version)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _assert_undecided(referral)
    errors = decision_errors(
        referral=referral, outcome=outcome, reason=reason, signposted_to=signposted_to
    )
    if errors:
        raise ValidationError(errors)
    decision = EligibilityDecision.objects.create(
        referral=referral,
        outcome=outcome,
        disadvantage_count=referral.disadvantage_count,
        reason=reason.strip(),
        signposted_to=signposted_to.strip(),
        decided_by=by,
        decided_at=timezone.now(),
        submission_key=submission_key,
    )
    referral.status = outcome
    referral.save(update_fields=["status", "updated_at"])
    if outcome in ACCEPTED:
        episode_open(person=referral.person, referral=referral)
    return decision


def episode_open(*, person, referral):
    """Open an episode awaiting allocation, unless the person already has one open."""
    open_episode = person.episodes.exclude(status=EpisodeStatus.CLOSED).first()
    if open_episode:
        return open_episode
    return Episode.objects.create(
        person=person, referral=referral, status=EpisodeStatus.AWAITING_ALLOCATION
    )
