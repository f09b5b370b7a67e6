"""The IG pages: who opened a person's record, what a staff member opened, record history."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.models import Person
from smd.audit.history import history_purge_person
from smd.audit.models import AuditAction, AuditEvent
from smd.audit.services import audit_record
from smd.models import Role
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory, UserFactory


@pytest.fixture
def person(team):
    person = PersonFactory(team=team, first_name="Margaret", last_name="Kelly")
    EpisodeFactory(person=person)
    return person


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, first_name="Mona")


@pytest.fixture
def manager_client(client_for, manager):
    return client_for(manager)


def log(user, person, *, days_ago=0, action=AuditAction.VIEW, description="Person page"):
    if not days_ago:
        return audit_record(user=user, action=action, person=person, description=description)
    event = AuditEvent(
        user=user,
        username=user.username,
        action=action,
        person_id=person.pk,
        description=description,
        at=timezone.now() - timedelta(days=days_ago),
    )
    event.save()
    return event


def test_manager_sees_who_opened_a_record(manager_client, navigator, person):
    log(navigator, person)
    response = manager_client.get(reverse("audit:person", args=[person.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(navigator) in body and "Person page" in body


def test_looking_at_the_log_is_itself_logged(manager, manager_client, person):
    manager_client.get(reverse("audit:person", args=[person.pk]))
    event = AuditEvent.objects.get()
    assert (event.user, event.action, event.person_id) == (manager, AuditAction.VIEW, person.pk)
    assert event.description == "Access log of a person"


def test_the_log_is_filtered_by_date(manager_client, navigator, person):
    log(navigator, person, days_ago=40, description="Old visit")
    log(navigator, person, description="New visit")
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    response = manager_client.get(reverse("audit:person", args=[person.pk]), {"date_from": since})
    body = response.content.decode()
    assert "New visit" in body and "Old visit" not in body
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    response = manager_client.get(reverse("audit:person", args=[person.pk]), {"date_to": until})
    body = response.content.decode()
    assert "Old visit" in body and "New visit" not in body


def test_dates_the_wrong_way_round_are_an_error(manager_client, person):
    today = timezone.localdate()
    response = manager_client.get(
        reverse("audit:person", args=[person.pk]),
        {"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "<title>Error:" in body


def test_the_log_downloads_as_csv_and_that_is_logged_as_an_export(
    manager, manager_client, navigator, person
):
    log(navigator, person, description="=HYPERLINK(evil)")
    response = manager_client.get(reverse("audit:person_csv", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["When", "Staff username", "Action", "What"]
    (row,) = [r for r in rows[1:] if r[1] == navigator.username]
    assert row[3] == "'=HYPERLINK(evil)"  # never a formula in a spreadsheet
    assert row[4] == str(person.pk)
    export = AuditEvent.objects.get(user=manager)
    assert export.action == AuditAction.EXPORT and export.person_id == person.pk


def test_manager_sees_what_a_staff_member_opened(manager_client, navigator, person, other_team):
    stranger = PersonFactory(team=other_team)
    log(navigator, person)
    log(navigator, stranger)
    response = manager_client.get(reverse("audit:user", args=[navigator.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Margaret Kelly" in body
    assert str(stranger) not in body and "Not a record you can see" in body


def test_staff_of_another_organisation_are_not_listed(manager_client, other_team):
    outsider = UserFactory(role=Role.NAVIGATOR, team=other_team)
    response = manager_client.get(reverse("audit:user", args=[outsider.pk]))
    assert response.status_code == 404
    assert outsider.username not in manager_client.get(reverse("audit:index")).content.decode()


def test_a_person_of_another_team_is_404(manager_client, other_team):
    stranger = PersonFactory(team=other_team)
    for name in ("audit:person", "audit:person_csv", "audit:history"):
        assert manager_client.get(reverse(name, args=[stranger.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.NAVIGATOR, Role.TEAM_LEADER, Role.MDT_CHAIR, Role.ADMIN])
def test_only_managers_read_access_logs(make_user, client_for, person, role):
    client = client_for(make_user(role))
    assert client.get(reverse("audit:index")).status_code == 403
    assert client.get(reverse("audit:person", args=[person.pk])).status_code == 403


def test_the_person_page_links_to_logs_for_those_who_may_read_them(
    manager_client, navigator_client, person
):
    body = manager_client.get(person.get_absolute_url()).content.decode()
    assert reverse("audit:person", args=[person.pk]) in body
    assert reverse("audit:history", args=[person.pk]) in body
    body = navigator_client.get(person.get_absolute_url()).content.decode()
    assert reverse("audit:person", args=[person.pk]) not in body
    assert reverse("audit:history", args=[person.pk]) not in body


def test_access_log_costs_the_same_with_more_rows(manager_client, navigator, person, count_queries):
    url = reverse("audit:person", args=[person.pk])
    for _ in range(3):
        log(navigator, person)
    # session, user, the device that gave the second factor, person, count, page of entries
    # (with their users), the audit insert
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(manager_client, url) == 8
    for _ in range(30):
        log(UserFactory(team=person.team), person)
    assert count_queries.page(manager_client, url) == 8


def test_user_log_costs_the_same_with_more_rows(
    manager_client, navigator, person, team, count_queries
):
    url = reverse("audit:user", args=[navigator.pk])
    log(navigator, person)
    # session, user, the device that gave the second factor, staff member, count, page of
    # entries, their people, the audit insert
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(manager_client, url) == 9
    for _ in range(30):
        log(navigator, PersonFactory(team=team))
    assert count_queries.page(manager_client, url) == 9


# --- record history ---------------------------------------------------------------------------


def test_a_change_keeps_the_value_before(team_leader, client_for, person):
    from tests.caseload.test_people import edit_data

    url = reverse("caseload:person_edit", args=[person.pk])
    client = client_for(team_leader)
    assert client.post(url, edit_data(person, phone="07700 900111")).status_code == 302
    assert client.post(url, edit_data(person, phone="07700 900222")).status_code == 302

    latest = person.history.first()
    assert latest.history_user == team_leader and latest.phone == "07700 900222"
    assert latest.prev_record.phone == "07700 900111"

    response = client.get(reverse("audit:history", args=[person.pk]))
    assert response.status_code == 200
    changes = response.context["changes"]
    phone = [
        c
        for c in changes
        if c.record == "Person" and ("Phone", "07700 900111", "07700 900222") in c.fields
    ]
    assert phone and phone[0].by == team_leader


def test_record_history_is_for_team_leaders_and_managers(make_user, client_for, person):
    url = reverse("audit:history", args=[person.pk])
    assert client_for(make_user(Role.MANAGER)).get(url).status_code == 200
    assert client_for(make_user(Role.NAVIGATOR)).get(url).status_code == 403


def test_erasure_can_purge_a_persons_history(navigator, person, team):
    from caseload.outcomes import services as outcome_services

    outcome_services.goal_add(
        person=person, by=navigator, in_their_words="A home", review_on=timezone.localdate()
    )
    person.phone = "07700 900333"
    person.save()
    other = PersonFactory(team=team)
    assert person.history.count() == 2

    deleted = history_purge_person(person_id=person.pk)

    assert deleted >= 4  # person ×2, episode, goal
    assert not Person.history.filter(id=person.pk).exists()
    assert not person.goals.model.history.filter(person_id=person.pk).exists()
    assert Person.history.filter(id=other.pk).exists()


def test_record_history_costs_the_same_with_more_changes(
    team_leader, client_for, person, count_queries
):
    url = reverse("audit:history", args=[person.pk])
    client = client_for(team_leader)
    AllocationFactory(episode=person.episodes.get(), worker=team_leader)
    # session, user, the device that gave the second factor, person, one query per tracked model
    # (16, documents, appointments, and MARAC referrals and actions among them), the staff named
    # in the versions, the audit entry and one more: the top bar's count of unread notifications
    assert count_queries.page(client, url) == 23
    for n in range(20):
        person.phone = str(n)
        person.save()
    assert count_queries.page(client, url) == 23
