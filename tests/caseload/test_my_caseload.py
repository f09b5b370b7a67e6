"""My caseload: each of my people with what I need to know today, cheaply."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.models import Allocation, Contact, ContactKind, Episode, EpisodeStatus, Person
from tests.factories import AllocationFactory, ContactFactory, EpisodeFactory, PersonFactory

CASELOAD = reverse("caseload:my_caseload")
LEAD = Allocation.Kind.LEAD_NAVIGATOR


def on_caseload(worker, kind=LEAD, **person):
    someone = PersonFactory(team=worker.team, **person)
    AllocationFactory(episode=EpisodeFactory(person=someone), worker=worker, kind=kind)
    return someone


def rows(client, **params):
    return list(client.get(CASELOAD, params).context["page"])


def test_longest_without_contact_comes_first_and_never_contacted_before_all(
    navigator_client, navigator
):
    recent = on_caseload(navigator, first_name="Recent")
    older = on_caseload(navigator, first_name="Older")
    never = on_caseload(navigator, first_name="Never")
    ContactFactory(person=recent, author=navigator, occurred_at=timezone.now() - timedelta(days=1))
    ContactFactory(person=older, author=navigator, occurred_at=timezone.now() - timedelta(days=9))
    # An attempt is not contact: it does not make Older look recently seen.
    ContactFactory(person=older, author=navigator, kind=ContactKind.ATTEMPTED)
    assert rows(navigator_client) == [never, older, recent]


def test_row_shows_last_contact_next_action_risk_and_status(navigator_client, navigator):
    peggy = on_caseload(
        navigator, first_name="Margaret", known_as="Peggy", risk_flags=["visit_in_pairs"]
    )
    ContactFactory(
        person=peggy,
        author=navigator,
        kind=ContactKind.PHONE,
        occurred_at=timezone.now() - timedelta(days=3),
        follow_up_action="Book the GP appointment",
        follow_up_due=timezone.localdate() - timedelta(days=1),
    )
    ContactFactory(person=peggy, author=navigator, kind=ContactKind.ATTEMPTED)
    page = navigator_client.get(CASELOAD).content.decode()
    assert "Last contact: <strong>3 days ago</strong> · phone call" in page
    assert "Tried to reach them today." in page
    assert "Book the GP appointment" in page and "overdue" in page
    assert "Visit in pairs" in page
    assert "Log contact" in page


def test_filter_by_active_and_paused(navigator_client, navigator):
    active = on_caseload(navigator)
    paused = on_caseload(navigator)
    Episode.objects.filter(person=paused).update(status=EpisodeStatus.PAUSED)
    assert rows(navigator_client, status="active") == [active]
    assert rows(navigator_client, status="paused") == [paused]
    assert set(rows(navigator_client)) == {active, paused}
    counts = navigator_client.get(CASELOAD).context["counts"]
    assert counts == {"all": 2, "active": 1, "paused": 1}


def test_only_my_people_and_only_while_allocated(navigator_client, navigator, make_user):
    mine = on_caseload(navigator)
    on_caseload(make_user(first_name="Other"))
    ended = on_caseload(navigator)
    Allocation.objects.filter(episode__person=ended).update(ended_at=timezone.now())
    assert rows(navigator_client) == [mine]


def test_each_worker_gets_their_own_rows_from_the_query_built_once(
    navigator_client, navigator, make_user, client_for
):
    # The rows' query is built once per process and scoped on every request: one worker's
    # page, then another's, then a row each, never show the other's people.
    mine = on_caseload(navigator)
    other = make_user(first_name="Other")
    theirs = on_caseload(other)
    other_client = client_for(other)
    assert rows(navigator_client) == [mine]
    assert rows(other_client) == [theirs]
    assert rows(navigator_client) == [mine]
    row = {"row": theirs.pk.hex}
    assert navigator_client.get(CASELOAD, row, HTTP_HX_REQUEST="true").status_code == 404
    answer = other_client.get(CASELOAD, row, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and f'id="row-{theirs.pk.hex}"' in answer.content.decode()


def test_peer_mentors_get_the_same_page_for_their_people(
    peer_mentor_client, peer_mentor, navigator
):
    theirs = on_caseload(navigator)
    AllocationFactory(
        episode=theirs.episodes.get(), worker=peer_mentor, kind=Allocation.Kind.PEER_MENTOR
    )
    on_caseload(navigator)
    assert rows(peer_mentor_client) == [theirs]


def test_home_is_my_caseload_for_navigators(navigator_client):
    assert navigator_client.get("/")["Location"] == CASELOAD


def _bulk_caseload(worker, n):
    """n people on the worker's caseload, each with two contacts and a next action."""
    people = Person.objects.bulk_create(
        Person(team=worker.team, first_name=f"Person{i}", last_name="Bulk") for i in range(n)
    )
    episodes = Episode.objects.bulk_create(
        Episode(person=p, status=EpisodeStatus.ACTIVE) for p in people
    )
    Allocation.objects.bulk_create(
        Allocation(episode=e, worker=worker, kind=LEAD) for e in episodes
    )
    now = timezone.now()
    Contact.objects.bulk_create(
        Contact(
            person=p,
            episode=e,
            author=worker,
            occurred_at=now - timedelta(days=i % 30, hours=h),
            kind=ContactKind.FACE_TO_FACE if h else ContactKind.ATTEMPTED,
            duration_minutes=20,
            summary="Checked in.",
            follow_up_action="Call back" if h else "",
        )
        for i, (p, e) in enumerate(zip(people, episodes, strict=True))
        for h in range(2)
    )


@pytest.mark.parametrize(("n", "queries"), [(5, 8), (50, 8), (51, 9), (200, 9)])
def test_caseload_query_count_is_constant(navigator_client, navigator, n, queries, count_queries):
    _bulk_caseload(navigator, n)
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the worker's appointments
    # this week, 5 the worker's own open MDT actions, 6 their open MARAC actions, 7 the rows:
    # one query, each row's facts (last contact, last attempt, next action, episode status, NDT
    # review and how many NDTs, open MDT actions, domestic-abuse risk, open MARAC actions) as
    # correlated subqueries, read with one row more than a page shows; 8 the top bar's count of
    # unread notifications. The page's NDT changes cost nothing here: nobody has the two
    # completed NDTs a change needs (two queries when someone does, see
    # tests/assessments/test_change_across_versions.py). A caseload longer than a page (50) adds
    # the counts by status for the filter, which are also the count for the pages; one that fits
    # is counted from its rows.
    assert count_queries.page(navigator_client, CASELOAD) == queries


def test_a_caseload_longer_than_a_page_is_counted_and_paged_as_a_whole(navigator_client, navigator):
    _bulk_caseload(navigator, 53)
    Episode.objects.filter(person__first_name__in=["Person1", "Person52"]).update(
        status=EpisodeStatus.PAUSED
    )
    first = navigator_client.get(CASELOAD)
    assert first.context["counts"] == {"all": 53, "active": 51, "paused": 2}
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = navigator_client.get(CASELOAD, {"page": 2})
    assert len(second.context["page"].object_list) == 3
    shown = [p.pk for p in first.context["page"]] + [p.pk for p in second.context["page"]]
    assert sorted(shown) == sorted(
        Person.objects.filter(last_name="Bulk").values_list("pk", flat=True)
    )
