"""Episodes of support: one open at a time, pausing, and closing with a destination."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caseload import services
from caseload.models import Allocation, Episode, EpisodeStatus
from tests.factories import AllocationFactory, EpisodeFactory, new_key


def support_url(person):
    return reverse("caseload:episode_change", args=[person.pk])


def test_database_allows_one_open_episode_per_person(person, episode):
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(person=person, status=EpisodeStatus.AWAITING_ALLOCATION)


def test_a_person_can_have_a_later_episode_once_one_is_closed(person):
    EpisodeFactory(person=person, closed=True)
    Episode.objects.create(person=person)
    assert person.episodes.count() == 2


def test_database_refuses_a_closed_episode_without_a_destination(episode):
    episode.status = EpisodeStatus.CLOSED
    episode.end_date = timezone.localdate()
    episode.ending_planned = True
    with pytest.raises(IntegrityError), transaction.atomic():
        episode.save()


def test_database_refuses_an_open_episode_with_an_ending(episode):
    episode.exit_destination = "prison"
    with pytest.raises(IntegrityError), transaction.atomic():
        episode.save()


def test_closing_asks_where_the_person_went(navigator_client, person, episode, lead):
    response = navigator_client.post(
        support_url(person),
        {**new_key("close"), "form": "close", "close-end_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["exit_destination"] == ["Say where the person went when support ended."]
    assert "ending_planned" in errors
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_closing_records_the_ending_and_ends_every_allocation(
    navigator_client, navigator, person, episode, lead, peer_mentor, peer_mentor_client
):
    AllocationFactory(episode=episode, worker=peer_mentor, kind=Allocation.Kind.PEER_MENTOR)
    assert peer_mentor_client.get(person.get_absolute_url()).status_code == 200
    response = navigator_client.post(
        support_url(person),
        {
            "form": "close",
            **new_key("close"),
            "close-end_date": timezone.localdate().isoformat(),
            "close-exit_destination": "other_support",
            "close-ending_planned": "yes",
            "close-note": "Moved into supported housing.",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED and episode.exit_destination == "other_support"
    assert (
        episode.ending_planned is True and episode.closing_note == "Moved into supported housing."
    )
    assert not episode.allocations.current().exists()
    assert peer_mentor_client.get(person.get_absolute_url()).status_code == 404
    change = episode.status_changes.get()
    assert change.to_status == EpisodeStatus.CLOSED and change.changed_by == navigator


def test_support_cannot_end_in_the_future_or_before_it_started(navigator, episode, lead):
    episode.start_date = timezone.localdate() - timedelta(days=10)
    episode.save()
    for end_date in [
        timezone.localdate() + timedelta(days=1),
        timezone.localdate() - timedelta(days=11),
    ]:
        with pytest.raises(services.ValidationError) as raised:
            services.episode_close(
                episode=episode,
                by=navigator,
                end_date=end_date,
                exit_destination="disengaged",
                ending_planned=False,
            )
        assert "end_date" in raised.value.message_dict


def test_pausing_keeps_the_person_on_the_caseload_and_records_why(
    navigator_client, person, episode, lead
):
    response = navigator_client.post(
        support_url(person),
        {
            **new_key("pause"),
            "form": "pause",
            "pause-pause_reason": "prison",
            "pause-note": "Remanded.",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.PAUSED
    change = episode.status_changes.get()
    assert change.pause_reason == "prison" and change.note == "Remanded."
    caseload = navigator_client.get(reverse("caseload:my_caseload"), {"status": "paused"})
    assert list(caseload.context["page"]) == [person]
    navigator_client.post(support_url(person), {**new_key("resume"), "form": "resume"})
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_pausing_needs_a_reason(navigator_client, person, episode, lead):
    response = navigator_client.post(support_url(person), {**new_key("pause"), "form": "pause"})
    assert "pause_reason" in response.context["form"].errors


def test_a_manager_does_not_pause_or_close_support(client_for, make_user, person, episode):
    from smd.models import Role

    assert client_for(make_user(Role.MANAGER)).get(support_url(person)).status_code == 403


def test_only_the_lead_navigator_or_a_team_leader_changes_support(
    client_for, make_user, person, episode, lead, team_leader
):
    from smd.models import Role

    url = reverse("caseload:episode_change", args=[person.pk])
    other_navigator = make_user(Role.NAVIGATOR)
    close = {
        "form": "close",
        **new_key("close"),
        "close-end_date": timezone.localdate().isoformat(),
        "close-exit_destination": "disengaged",
        "close-ending_planned": "no",
    }
    assert client_for(other_navigator).post(url, close).status_code == 403
    with pytest.raises(services.PermissionDenied):
        services.episode_pause(episode=episode, by=other_navigator, pause_reason="prison")
    episode.refresh_from_db()
    assert episode.status == "active"
    assert client_for(team_leader).get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_pause_and_resume_run_in_their_own_transaction(team):
    """Without a transaction of their own, their row locks fail on PostgreSQL (Django refuses
    select_for_update in autocommit), which the usual per-test transaction would hide."""
    from smd.models import Role
    from tests.factories import PersonFactory, UserFactory

    leader = UserFactory(role=Role.TEAM_LEADER, team=team)
    episode = EpisodeFactory(person=PersonFactory(team=team))
    services.episode_pause(episode=episode, by=leader, pause_reason="hospital")
    services.episode_resume(episode=episode, by=leader)
    episode.refresh_from_db()
    assert episode.status == "active"


def test_closing_support_moves_on_the_version_of_the_allocations_it_ends(
    episode, navigator, team_leader
):
    """The allocations end in one UPDATE, not a save each: it adds to their version too, so a
    hand-over form still open on one of them is refused (ADR 0023)."""
    from smd.versioning import EditConflict, version_claim

    lead = AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    seen = lead.version_token
    services.episode_close(
        episode=episode,
        by=team_leader,
        end_date=timezone.localdate(),
        exit_destination="no_longer_needed",
        ending_planned=True,
    )
    with pytest.raises(EditConflict), transaction.atomic():
        version_claim(record=lead, seen=seen)
