"""One timeline per person: everything, newest first, filterable, paginated, and cheap."""

from datetime import timedelta

import pytest
from django.utils import timezone

from caseload import services, timeline
from caseload.models import Allocation, Contact, ContactKind
from referrals.models import EligibilityDecision
from smd.models import Organisation
from tests.factories import (
    AllocationFactory,
    ContactFactory,
    NavigatorFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
)

LEAD = Allocation.Kind.LEAD_NAVIGATOR
PEER = Allocation.Kind.PEER_MENTOR


@pytest.fixture
def story(person, episode, navigator, team_leader, peer_mentor):
    """Peggy's story so far: referred, accepted, allocated, handed over, a peer mentor who
    stepped back, paused, and one contact. Everything after the contact, so the first page
    always holds every kind."""
    referral = ReferralFactory(team=person.team, person=person, status="eligible")
    EligibilityDecision.objects.create(
        referral=referral,
        outcome="eligible",
        disadvantage_count=3,
        decided_by=team_leader,
        decided_at=timezone.now(),
    )
    episode.referral = referral
    episode.save()
    ContactFactory(
        person=person,
        author=navigator,
        occurred_at=timezone.now() - timedelta(days=40),
        summary="The first contact.",
    )
    first = services.allocation_create(episode=episode, worker=navigator, kind=LEAD, by=team_leader)
    services.allocation_hand_over(
        allocation=first,
        to=NavigatorFactory(team=person.team, first_name="Samir"),
        by=team_leader,
        reason="Nadia is on leave.",
    )
    mentor = services.allocation_create(
        episode=episode, worker=peer_mentor, kind=PEER, by=team_leader
    )
    services.allocation_end(allocation=mentor, by=team_leader, reason="Pete moved on.")
    # Nadia handed Peggy over, so pausing is for the team leader (or Samir, the new lead).
    services.episode_pause(episode=episode, by=team_leader, pause_reason="hospital")
    return person


def kinds(page):
    return [entry.kind for entry in page.object_list]


def test_timeline_holds_everything_newest_first(story, navigator):
    page = timeline.timeline_page(story, navigator)
    assert set(kinds(page)) == {
        "referral",
        "decision",
        "episode_opened",
        "allocation_started",
        "allocation_ended",
        "episode_status",
        "contact",
    }
    times = [entry.at for entry in page.object_list]
    assert times == sorted(times, reverse=True)
    assert kinds(page)[-1] == "contact"  # the oldest, forty days ago
    # A handover is one entry (the new allocation), not an ending plus a start.
    assert kinds(page).count("allocation_ended") == 1


def test_timeline_filters_by_kind(story, navigator):
    allocations = kinds(timeline.timeline_page(story, navigator, group="allocations"))
    # Nadia, the handover to Samir, Pete; and Pete stepping back.
    assert sorted(allocations) == ["allocation_ended"] + ["allocation_started"] * 3
    assert set(kinds(timeline.timeline_page(story, navigator, group="contacts"))) == {"contact"}
    # An unknown filter shows everything rather than nothing.
    assert timeline.timeline_page(story, navigator, group="nonsense").paginator.count == 9


def test_timeline_is_paginated_newest_first(person, navigator):
    now = timezone.now()
    Contact.objects.bulk_create(
        Contact(
            person=person,
            author=navigator,
            occurred_at=now - timedelta(hours=i),
            kind=ContactKind.PHONE,
            duration_minutes=5,
            summary=f"Call {i}",
        )
        for i in range(45)
    )
    first = timeline.timeline_page(person, navigator, group="contacts")
    third = timeline.timeline_page(person, navigator, group="contacts", number=3)
    assert first.paginator.num_pages == 3 and len(first.object_list) == 20
    assert first.object_list[0].obj.summary == "Call 0"
    assert [e.obj.summary for e in third.object_list] == [f"Call {i}" for i in range(40, 45)]


def test_a_page_past_the_end_or_not_a_number_is_the_last_or_the_first(person, navigator):
    """As Paginator.get_page: past the last page, or below the first, is the last page; a page
    that is not a whole number is the first."""
    _more_contacts(person, navigator, 45)
    for number, shown in [(9, 3), (0, 3), (-2, 3), ("two", 1), ("2.5", 1), (None, 1), ("2", 2)]:
        page = timeline.timeline_page(person, navigator, group="contacts", number=number)
        assert page.number == shown, number
        assert page.paginator.count == 45 and page.paginator.num_pages == 3
        assert len(page.object_list) == (5 if shown == 3 else 20)


def test_an_empty_timeline_is_one_empty_page(person, navigator):
    for number in [1, 4]:
        page = timeline.timeline_page(person, navigator, group="contacts", number=number)
        assert page.number == 1 and page.paginator.count == 0 and page.object_list == []
        assert not page.has_other_pages()


def test_person_page_shows_and_filters_the_timeline(navigator_client, story):
    page = navigator_client.get(story.get_absolute_url()).content.decode()
    for text in [
        "Referral received",
        "Decision: Eligible",
        "Accepted for support",
        "Handed over: lead navigator",
        "Why: Nadia is on leave.",
        "Allocation ended: peer mentor",
        "Support paused",
        "The first contact.",
    ]:
        assert text in page, text
    filtered = navigator_client.get(
        story.get_absolute_url(),
        {"kind": "contacts"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="timeline",
    ).content.decode()
    assert "<html" not in filtered and "The first contact." in filtered
    assert "Referral received" not in filtered


def test_peer_mentor_timeline_leaves_out_referrals(story, peer_mentor, episode, team_leader):
    services.allocation_create(episode=episode, worker=peer_mentor, kind=PEER, by=team_leader)
    page = timeline.timeline_page(story, peer_mentor)
    assert "referral" not in kinds(page) and "decision" not in kinds(page)
    assert "contact" in kinds(page)


def test_another_app_can_register_a_source(person, navigator):
    """What the assessments and MDT apps will do: add a kind of record to every timeline."""
    timeline.register_group("test-notes", "Test notes")
    timeline.register(
        timeline.Source(
            kind="test-note",
            group="test-notes",
            template="caseload/timeline/contact.html",
            records=lambda person, user: person.contacts.filter(kind=ContactKind.MESSAGE),
            at="occurred_at",
        )
    )
    try:
        ContactFactory(person=person, author=navigator, kind=ContactKind.MESSAGE)
        page = timeline.timeline_page(person, navigator, group="test-notes")
        assert kinds(page) == ["test-note"]
        assert "test-notes" in [g.key for g in timeline.groups()]
    finally:
        timeline._sources.pop("test-note")
        timeline._groups.pop("test-notes")
        timeline._built_once.clear()


def test_each_person_gets_their_own_timeline_from_the_union_built_once(story, navigator):
    """The sources that are the same for anyone are compiled once per process with the
    person's id a parameter: the next person's page reads only the next person's records."""
    other = PersonFactory(team=story.team)
    ContactFactory(person=other, author=navigator, summary="Someone else's contact.")
    first = timeline.timeline_page(story, navigator)
    assert timeline._built_once[None] is not None
    second = timeline.timeline_page(other, navigator)
    assert {e.obj.person_id for e in second.object_list if e.kind == "contact"} == {other.pk}
    assert second.paginator.count == 1
    assert "referral" in kinds(first) and "referral" not in kinds(second)


def test_what_the_timeline_builds_once_names_no_user_and_no_date(db):
    """A source marked same_for_anyone is built with no user, so one that read the user would
    fail here rather than show one user's scope to another; built on two different days, the
    union gives the same SQL with the same parameters, so none names the day it was built."""
    from datetime import datetime
    from unittest import mock

    from django.db import connection

    from caseload.models import Person

    once = [s for s in timeline._sources_in_order() if s.same_for_anyone]
    assert {"contact", "allocation_started", "service_event", "ndt", "mdt_action"} <= {
        s.kind for s in once
    }
    assert not {"referral", "decision", "dash", "marac"} & {s.kind for s in once}

    def sql():
        union = timeline._rows(once, Person(pk="0" * 32), None)
        return union.query.get_compiler(connection=connection).as_sql()

    today = sql()
    another_day = datetime(2031, 7, 1, 12, tzinfo=datetime.now().astimezone().tzinfo)
    with mock.patch("django.utils.timezone.now", return_value=another_day):
        assert sql() == today


def test_the_filter_offers_groups_in_the_same_order_whichever_app_is_ready_first():
    """Each app registers its own sources from its ready(); positions keep the page's order."""
    assert [group.key for group in timeline.groups()] == [
        "contacts",
        "appointments",
        "allocations",
        "support",
        "referrals",
        "plan",
        "outcomes",
        "assessments",
        "domestic_abuse",
        "mdt",
        "documents",
        "imported",
    ]


def _more_contacts(person, author, n):
    now = timezone.now() - timedelta(days=41)
    Contact.objects.bulk_create(
        Contact(
            person=person,
            author=author,
            occurred_at=now - timedelta(hours=i),
            kind=ContactKind.FACE_TO_FACE,
            duration_minutes=30,
            summary=f"Contact {i}",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("n", [10, 2000])
def test_person_page_query_count_is_constant(navigator_client, navigator, story, n, count_queries):
    _more_contacts(story, navigator, n)
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the person as this user
    # may see them, with the waiting MDT referrals and ReQoL-10's wording (the annotations that
    # read the user), 5 the referrals this user may see with their referrers' organisations (a
    # prefetch: they depend on who asks), 6 the cards' values that are the same for anyone,
    # compiled once per process and read for this person only after 4 found them (ADR 0039:
    # the plan, accommodation, budget and Outcomes Star cards' figures, ReQoL-10's latest
    # total, the latest domestic-abuse incident, and as JSON objects the last contact with its
    # author, the latest NDT in the open episode with how many there are, the lawful basis with
    # its recorder, the latest DASH checklist and MARAC referral with its open actions; on 4
    # they cost more to build and compile than a query of their own to run), 7-9 their aliases,
    # episodes and allocations with workers (compiled once, ADR 0045: a query each as when they
    # were prefetches, none built per request), 10 the timeline's page with the count beside
    # each row (one UNION of every source, compiled once: the count used to be a query of its
    # own, building and compiling the whole union a second time), 11-17 the page's records, one
    # query per kind on the page (seven kinds here; compiled once per kind and number of
    # records for the sources that are the same for anyone), 18 the names of the contacts'
    # agencies (names, not Organisation instances: the entry shows nothing else of them), 19
    # the appointments card, 20 this quarter's event counts, 21 the MDT panel's open actions,
    # 22 the sharing agreements with their organisations and recorders, 23 the documents card
    # (19-23 compiled once, ADR 0045, run only for a person read for this user), 24 the audit
    # entry, 25 the top bar's count of unread notifications.
    assert count_queries.page(navigator_client, story.get_absolute_url()) == 25


# Page 2 exists either way: a page past the last costs one query more (the last page itself).
@pytest.mark.parametrize("n", [30, 2000])
def test_timeline_page_query_count_is_constant(
    navigator_client, navigator, story, n, count_queries
):
    _more_contacts(story, navigator, n)
    url = story.get_absolute_url() + "?kind=contacts&page=2"
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the person, 5 the referrals
    # (a prefetch), 6 the cards' values compiled once (with the last contact) and 7-9 the
    # aliases, episodes and allocations (compiled once, ADR 0045), 10 the page
    # with the count beside each row (no query of its own for the count), 11 the contacts with
    # their authors, 12 their agencies' names, 13 the audit entry (a further page of the timeline is
    # more of the record seen).
    assert (
        count_queries.page(navigator_client, url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
        == 13
    )


def test_a_contact_entry_names_its_agencies_in_order(navigator_client, person, navigator):
    """The timeline reads the agencies' names with the contacts; a contact read elsewhere reads
    them itself."""
    contact = ContactFactory(person=person, author=navigator)
    contact.agencies.add(
        OrganisationFactory(name="Youth Offending Service"),
        OrganisationFactory(name="Women's Aid City"),
        OrganisationFactory(name="City Council Housing Options"),
    )
    ContactFactory(person=person, author=navigator)
    names = ["City Council Housing Options", "Women's Aid City", "Youth Offending Service"]
    page = timeline.timeline_page(person, navigator, group="contacts")
    assert sorted(len(entry.obj.agency_names) for entry in page.object_list) == [0, 3]
    assert [e.obj.agency_names for e in page.object_list if e.obj.pk == contact.pk] == [names]
    assert Contact.objects.get(pk=contact.pk).agency_names == names
    html = navigator_client.get(person.get_absolute_url()).content.decode()
    assert "With: City Council Housing Options, Women&#x27;s Aid City, Youth Offending" in html


def test_a_contacts_agencies_follow_organisations_own_order(person, navigator, monkeypatch):
    """The names come in Organisation's own order, read from its Meta: the order
    `contact.agencies.all()` gives, whatever that order is."""
    contact = ContactFactory(person=person, author=navigator)
    contact.agencies.add(*(OrganisationFactory(name=name) for name in ["Beta", "Gamma", "Alpha"]))

    def names_on_the_timeline():
        (entry,) = timeline.timeline_page(person, navigator, group="contacts").object_list
        return entry.obj.agency_names

    assert names_on_the_timeline() == ["Alpha", "Beta", "Gamma"]
    monkeypatch.setattr(Organisation._meta, "ordering", ["-name"])
    in_its_order = [agency.name for agency in Contact.objects.get(pk=contact.pk).agencies.all()]
    assert in_its_order == ["Gamma", "Beta", "Alpha"]
    assert names_on_the_timeline() == in_its_order


def test_a_new_person_has_only_their_episode_on_the_timeline(navigator_client, person, episode):
    page = navigator_client.get(person.get_absolute_url())
    assert kinds(page.context["timeline"]) == ["episode_opened"]


def test_allocation_factory_is_not_a_handover(person, episode, navigator):
    AllocationFactory(episode=episode, worker=navigator, kind=LEAD)
    assert kinds(timeline.timeline_page(person, navigator, group="allocations")) == [
        "allocation_started"
    ]
