import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    current_version,
    new_key,
)

TRIAGE = reverse("referrals:triage")


def received(referral, days_ago):
    Referral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_queue_lists_new_referrals_oldest_first_with_wait_and_eligibility(team, team_leader_client):
    newer = ReferralFactory(team=team, first_name="Newer", domestic_abuse=False)
    older = ReferralFactory(
        team=team, first_name="Older", mental_health=False, substance_misuse=False
    )
    received(newer, 2)
    received(older, 9)
    ReferralFactory(team=team, status=Referral.Status.WITHDRAWN, first_name="Decided")
    response = team_leader_client.get(TRIAGE)
    assert [r.first_name for r in response.context["referrals"]] == ["Older", "Newer"]
    page = response.content.decode()
    assert "9 days" in page and "2 days" in page
    assert "1 of 5 — below threshold" in page
    assert "3 of 5 — eligible" in page
    assert "Decided" not in page


def test_queue_shows_only_my_teams_referrals(team, other_team, team_leader_client):
    ReferralFactory(team=other_team, first_name="Elsewhere")
    assert team_leader_client.get(TRIAGE).context["referrals"] == []


def test_navigators_do_not_triage(navigator_client):
    assert navigator_client.get(TRIAGE).status_code == 403


def test_queue_query_count_is_constant(team, team_leader_client, count_queries):
    ReferralFactory.create_batch(2, team=team)
    few = count_queries.page(team_leader_client, TRIAGE)
    ReferralFactory.create_batch(20, team=team, referrer_organisation=OrganisationFactory())
    # session + user + the device that gave the second factor, the number waiting, then one
    # page of the queue with its organisations joined
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(team_leader_client, TRIAGE) == few == 6


def test_queue_is_shown_fifty_at_a_time_oldest_first(team, team_leader_client):
    from referrals.views import TRIAGE_PAGE_SIZE

    ReferralFactory.create_batch(TRIAGE_PAGE_SIZE + 3, team=team)
    first = team_leader_client.get(TRIAGE)
    assert len(first.context["referrals"]) == TRIAGE_PAGE_SIZE
    assert f"{TRIAGE_PAGE_SIZE + 3} waiting" in first.content.decode()
    second = team_leader_client.get(TRIAGE + "?page=2")
    assert len(second.context["referrals"]) == 3
    assert second.context["referrals"][-1].created_at >= first.context["referrals"][0].created_at


def test_detail_query_count_is_constant(team, team_leader_client, count_queries):
    referral = ReferralFactory(team=team, last_name="Kelly", date_of_birth=date(1979, 5, 3))
    PersonFactory(team=team, last_name="Kelly")
    url = referral.get_absolute_url()
    few = count_queries.page(team_leader_client, url)
    PersonFactory.create_batch(15, team=team, last_name="Kelly")
    assert count_queries.page(team_leader_client, url) == few


def test_team_leader_creates_a_person_then_accepts(team, team_leader_client, team_leader):
    referral = ReferralFactory(team=team, first_name="Aisha", last_name="Rahman")
    response = team_leader_client.post(
        reverse("referrals:new_person", args=[referral.pk]),
        {"version": current_version(referral), **new_key()},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.person.first_name == "Aisha"
    response = team_leader_client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {"outcome": "eligible", "version": current_version(referral), **new_key()},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "eligible"
    assert referral.decisions.get().decided_by == team_leader
    assert referral.person.episodes.get().referral == referral


def test_team_leader_links_a_match(team, team_leader_client):
    person = PersonFactory(team=team, first_name="Margaret", last_name="Kelly", known_as="Peggy")
    referral = ReferralFactory(team=team, first_name="Peggy", last_name="Kelly")
    page = team_leader_client.get(referral.get_absolute_url()).content.decode()
    assert "This is the same person: link" in page
    team_leader_client.post(
        reverse("referrals:link", args=[referral.pk]),
        {"person": person.pk, "version": current_version(referral)},
    )
    referral.refresh_from_db()
    assert referral.person == person


def test_cannot_link_a_person_of_another_team(team, other_team, team_leader_client):
    stranger = PersonFactory(team=other_team)
    referral = ReferralFactory(team=team)
    response = team_leader_client.post(
        reverse("referrals:link", args=[referral.pk]), {"person": stranger.pk}
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.person is None


def test_discretion_without_reason_shows_error_and_keeps_choice(team, team_leader_client):
    referral = ReferralFactory(team=team, substance_misuse=False)
    team_leader_client.post(
        reverse("referrals:new_person", args=[referral.pk]),
        {"version": current_version(referral), **new_key()},
    )
    response = team_leader_client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {
            "outcome": "discretion",
            "reason": "",
            "signposted_to": "kept text",
            "version": current_version(referral),
            **new_key(),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "Give the reason for this decision." in page
    assert re.search(r'<input[^>]*value="discretion"[^>]*checked', page)
    assert "kept text" in page
    referral.refresh_from_db()
    assert referral.status == "new" and not referral.decisions.exists()


def test_navigator_cannot_decide(team, navigator_client):
    referral = ReferralFactory(team=team)
    response = navigator_client.post(
        reverse("referrals:decide", args=[referral.pk]), {"outcome": "withdrawn"}
    )
    assert response.status_code == 403
    assert not referral.decisions.exists()


@pytest.mark.parametrize("outcome", ["not_eligible", "withdrawn"])
def test_decided_referral_leaves_the_queue(team, team_leader_client, outcome):
    referral = ReferralFactory(team=team)
    team_leader_client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {
            "outcome": outcome,
            "reason": "Needs met elsewhere",
            "signposted_to": "GP",
            "version": current_version(referral),
            **new_key(),
        },
    )
    assert team_leader_client.get(TRIAGE).context["referrals"] == []


def _outcome_radio(page, value):
    return re.search(rf'<input type="radio"[^>]*value="{value}"[^>]*>', page).group(0)


def test_decision_form_says_before_submitting_that_accepting_needs_a_person(
    team, team_leader_client
):
    referral = ReferralFactory(team=team)
    page = team_leader_client.get(referral.get_absolute_url()).content.decode()
    assert "first link it to a person" in page
    assert "disabled" in _outcome_radio(page, "eligible")
    assert "disabled" in _outcome_radio(page, "discretion")
    assert "disabled" not in _outcome_radio(page, "not_eligible")
    assert "Eligible (3 or more of 5): not yet, link a person first" in page
    # Once linked, every outcome can be chosen and the note is gone.
    team_leader_client.post(
        reverse("referrals:new_person", args=[referral.pk]),
        {"version": current_version(referral), **new_key()},
    )
    page = team_leader_client.get(referral.get_absolute_url()).content.decode()
    assert "first link it to a person" not in page
    assert "disabled" not in _outcome_radio(page, "eligible")


def test_accepting_an_unlinked_referral_is_still_refused_on_the_server(team, team_leader_client):
    referral = ReferralFactory(team=team)
    response = team_leader_client.post(
        reverse("referrals:decide", args=[referral.pk]),
        {"outcome": "eligible", "version": current_version(referral), **new_key()},
    )
    assert response.status_code == 400
    assert "Link this referral to an existing person" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.NEW and not referral.decisions.exists()
