import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from referrals.models import DISADVANTAGE_KEYS, EligibilityDecision, Referral, eligibility_summary
from referrals.services import referral_create_person, referral_decide
from tests.factories import ReferralFactory

Outcome = EligibilityDecision.Outcome


def referral_with(team, count):
    flags = {key: i < count for i, key in enumerate(DISADVANTAGE_KEYS)}
    return ReferralFactory(team=team, **flags)


@pytest.mark.parametrize(
    ("count", "summary", "meets"),
    [
        (0, "0 of 5 — below threshold", False),
        (1, "1 of 5 — below threshold", False),
        (2, "2 of 5 — below threshold", False),
        (3, "3 of 5 — eligible", True),
        (4, "4 of 5 — eligible", True),
        (5, "5 of 5 — eligible", True),
    ],
)
def test_eligibility_is_three_of_five(team, count, summary, meets):
    referral = referral_with(team, count)
    assert referral.disadvantage_count == count
    assert referral.eligibility_summary == summary == eligibility_summary(count)
    assert referral.meets_threshold is meets


def test_referrals_read_back_keep_their_count(team):
    for count in range(6):
        referral_with(team, count)
    counted = [referral.disadvantage_count for referral in Referral.objects.all()]
    assert sorted(counted) == [0, 1, 2, 3, 4, 5]


def test_eligible_decision_opens_an_episode(team, team_leader):
    referral = referral_with(team, 3)
    person = referral_create_person(referral=referral, by=team_leader)
    decision = referral_decide(referral=referral, outcome=Outcome.ELIGIBLE, by=team_leader)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ELIGIBLE
    assert decision.decided_by == team_leader and decision.disadvantage_count == 3
    assert person.episodes.get().status == "awaiting_allocation"


def test_eligible_is_refused_below_threshold(team, team_leader):
    referral = referral_with(team, 2)
    referral_create_person(referral=referral, by=team_leader)
    with pytest.raises(ValidationError) as error:
        referral_decide(referral=referral, outcome=Outcome.ELIGIBLE, by=team_leader)
    assert "outcome" in error.value.message_dict
    assert not referral.decisions.exists()


def test_discretion_needs_a_reason(team, team_leader):
    referral = referral_with(team, 2)
    referral_create_person(referral=referral, by=team_leader)
    with pytest.raises(ValidationError) as error:
        referral_decide(referral=referral, outcome=Outcome.DISCRETION, by=team_leader, reason=" ")
    assert error.value.message_dict["reason"] == ["Give the reason for this decision."]
    decision = referral_decide(
        referral=referral,
        outcome=Outcome.DISCRETION,
        by=team_leader,
        reason="High risk from a partner.",
    )
    assert decision.reason == "High risk from a partner."
    assert referral.person.episodes.count() == 1


def test_discretion_is_only_for_referrals_below_threshold(team, team_leader):
    referral = referral_with(team, 4)
    referral_create_person(referral=referral, by=team_leader)
    with pytest.raises(ValidationError):
        referral_decide(referral=referral, outcome=Outcome.DISCRETION, by=team_leader, reason="x")


def test_not_eligible_needs_reason_and_signposting(team, team_leader):
    referral = referral_with(team, 1)
    with pytest.raises(ValidationError) as error:
        referral_decide(referral=referral, outcome=Outcome.NOT_ELIGIBLE, by=team_leader)
    assert set(error.value.message_dict) == {"reason", "signposted_to"}
    referral_decide(
        referral=referral,
        outcome=Outcome.NOT_ELIGIBLE,
        by=team_leader,
        reason="One need only.",
        signposted_to="Open-access drug service",
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.NOT_ELIGIBLE
    assert referral.person is None


def test_accepting_needs_a_person_record(team, team_leader):
    referral = referral_with(team, 4)
    with pytest.raises(ValidationError) as error:
        referral_decide(referral=referral, outcome=Outcome.ELIGIBLE, by=team_leader)
    assert "person" in error.value.messages[0]


def test_decisions_append_history_and_are_never_overwritten(team, team_leader):
    referral = referral_with(team, 3)
    first = referral_decide(referral=referral, outcome=Outcome.WITHDRAWN, by=team_leader)
    # Reconsidering needs a reason, and adds a row rather than changing the first.
    with pytest.raises(ValidationError) as error:
        referral_decide(referral=referral, outcome=Outcome.NOT_ELIGIBLE, by=team_leader)
    assert "reconsidered" in error.value.message_dict["reason"][0]
    referral_create_person(referral=referral, by=team_leader)
    referral_decide(
        referral=referral, outcome=Outcome.ELIGIBLE, by=team_leader, reason="Back in touch."
    )
    outcomes = list(referral.decisions.order_by("decided_at").values_list("outcome", flat=True))
    assert outcomes == ["withdrawn", "eligible"]
    first.refresh_from_db()
    assert first.outcome == Outcome.WITHDRAWN and first.reason == ""
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ELIGIBLE


def test_an_accepted_referral_is_final(team, team_leader):
    referral = referral_with(team, 3)
    referral_create_person(referral=referral, by=team_leader)
    referral_decide(referral=referral, outcome=Outcome.ELIGIBLE, by=team_leader)
    with pytest.raises(ValidationError, match="final"):
        referral_decide(referral=referral, outcome=Outcome.WITHDRAWN, by=team_leader, reason="x")
    assert referral.decisions.count() == 1


def test_database_refuses_discretion_without_a_reason(team, team_leader):
    referral = referral_with(team, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        EligibilityDecision.objects.create(
            referral=referral,
            outcome=Outcome.DISCRETION,
            disadvantage_count=1,
            decided_by=team_leader,
            decided_at=referral.created_at,
        )
