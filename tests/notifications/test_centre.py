"""The notification centre: made once, counted in the top bar for one query, listed newest
first, marked read, and emailed as each user chose, with no one's details in the email."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_celery_beat.models import PeriodicTask

from caseload.models import Allocation
from caseload.notifications import ALLOCATED
from mdt.notifications import OVERDUE as MDT_OVERDUE
from smd.models import Role
from smd.notifications.models import Delivery, Digest, Notification, NotificationSettings
from smd.notifications.security import BACKUP_CODES
from smd.notifications.services import (
    digest_send,
    notification_settings_save,
    notifications_sweep,
    notify,
)
from smd.outbox.models import OutboxMessage
from smd.versioning import UNCHECKED
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)

LIST = reverse("notifications:list")
PREFERENCES = reverse("notifications:preferences")


def tell(user, key="one", kind=ALLOCATED, due=None, title="A person was allocated to you"):
    return notify(
        user=user,
        kind=kind,
        key=key,
        due=due or timezone.localdate(),
        title=title,
        url=reverse("caseload:my_caseload"),
    )


def test_notify_makes_one_notification_however_often_it_is_called(navigator):
    assert tell(navigator) is not None
    assert tell(navigator) is None
    assert tell(navigator, due=timezone.localdate() + timedelta(days=1)) is not None
    assert Notification.objects.filter(user=navigator).count() == 2


def test_an_inactive_user_is_told_nothing(make_user):
    gone = make_user(is_active=False)
    assert tell(gone) is None
    assert not Notification.objects.exists()


def test_an_unregistered_kind_fails_in_the_write(navigator):
    with pytest.raises(KeyError):
        tell(navigator, kind="no_such_kind")


def test_the_top_bar_counts_unread_notifications(navigator, client_for):
    client = client_for(navigator)
    assert "Notifications</a>" in client.get(reverse("profile")).content.decode()
    tell(navigator, "a")
    tell(navigator, "b")
    page = client.get(reverse("profile")).content.decode()
    assert '<span class="badge text-bg-light">2<span class="visually-hidden"> unread</span>' in page


def test_the_count_costs_one_query_however_many_there_are(navigator, client_for):
    client = client_for(navigator)
    url = reverse("profile")

    def notification_queries():
        with CaptureQueriesContext(connection) as counted:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in counted if "notifications_notification" in q["sql"]], len(counted)

    none, total_none = notification_queries()
    for n in range(30):
        tell(navigator, f"item-{n}")
    many, total_many = notification_queries()
    assert len(none) == len(many) == 1
    assert total_none == total_many


def test_a_redirect_makes_no_count_query(navigator, client_for):
    client = client_for(navigator)
    with CaptureQueriesContext(connection) as counted:
        assert client.get(reverse("home")).status_code == 302  # a navigator goes on to My caseload
    assert not [q for q in counted if "notifications_notification" in q["sql"]]


def test_the_list_is_the_users_own_newest_first_and_paged(navigator, make_user, client_for):
    other = make_user()
    tell(other, "theirs", title="Someone else's")
    for n in range(30):
        made = tell(navigator, f"item-{n}", title=f"Number {n:02d}")
        Notification.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - timedelta(minutes=60 - n)
        )
    client = client_for(navigator)
    first = client.get(LIST)
    titles = [n.title for n in first.context["page"]]
    assert titles[0] == "Number 29" and len(titles) == 25
    assert "Someone else's" not in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert [n.title for n in second.context["page"]][-1] == "Number 00"


def test_list_page_costs_the_same_with_more_rows(navigator, client_for, count_queries):
    client = client_for(navigator)
    tell(navigator, "first")
    few = count_queries.page(client, LIST)
    for n in range(20):
        tell(navigator, f"more-{n}")
    # session, user, device; the unread count; the page's count and rows
    assert count_queries.page(client, LIST) == few == 6


def test_opening_one_marks_it_read_and_goes_to_it(navigator, client_for):
    made = tell(navigator)
    client = client_for(navigator)
    url = reverse("notifications:read", args=[made.pk])
    response = client.post(url, {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("caseload:my_caseload")
    made.refresh_from_db()
    first_read = made.read_at
    assert first_read is not None
    # Sent again (a double click, Back): still read, from the first time, and no error.
    assert client.post(url, {"page": "2"})["Location"] == f"{LIST}?page=2"
    made.refresh_from_db()
    assert made.read_at == first_read


def test_another_users_notification_is_not_found(navigator, make_user, client_for):
    theirs = tell(make_user())
    response = client_for(navigator).post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_link_elsewhere_is_not_followed(navigator, client_for):
    made = notify(
        user=navigator,
        kind=ALLOCATED,
        key="x",
        due=timezone.localdate(),
        title="t",
        url="https://elsewhere.example/",
    )
    response = client_for(navigator).post(
        reverse("notifications:read", args=[made.pk]), {"open": "1"}
    )
    assert response["Location"] == LIST


def test_mark_all_read_leaves_what_arrived_after_the_list_was_shown(navigator, client_for):
    tell(navigator, "seen")
    client = client_for(navigator)
    shown_at = client.get(LIST).context["shown_at"]
    late = tell(navigator, "late")
    Notification.objects.filter(pk=late.pk).update(created_at=timezone.now() + timedelta(seconds=1))
    response = client.post(reverse("notifications:read_all"), {"upto": shown_at})
    assert response.status_code == 302
    assert list(
        Notification.objects.filter(user=navigator, read_at__isnull=True).values_list(
            "key", flat=True
        )
    ) == ["late"]
    # A made-up time is taken as now.
    Notification.objects.filter(pk=late.pk).update(created_at=timezone.now())
    client.post(reverse("notifications:read_all"), {"upto": "2026-13-45T99:00:00+00:00"})
    assert not Notification.objects.filter(user=navigator, read_at__isnull=True).exists()


# --- email -------------------------------------------------------------------------------------


def test_an_immediate_kind_is_emailed_once_with_no_details(
    make_user, team, django_capture_on_commit_callbacks
):
    worker = make_user(email="nadia@example.org")
    person = PersonFactory(team=team, first_name="Leonora", last_name="Quigley")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=worker,
            kind=ALLOCATED,
            key="p",
            due=timezone.localdate(),
            title="A person was allocated to you as lead navigator",
            url=person.get_absolute_url(),
        )
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["nadia@example.org"]
    assert "A person was allocated to you" in email.body
    assert "http://" in email.body and LIST in email.body
    for detail in ("Leonora", "Quigley", str(person.pk), "lead navigator"):
        assert detail not in email.body and detail not in email.subject
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.DONE
    assert Notification.objects.get().emailed_at is not None


def test_a_user_who_chose_no_email_gets_none(make_user):
    worker = make_user(email="nadia@example.org")
    notification_settings_save(
        user=worker, deliveries={ALLOCATED: Delivery.NONE}, seen_version=UNCHECKED
    )
    tell(worker)
    assert mail.outbox == []
    assert Notification.objects.get().delivery == Delivery.NONE


def test_the_daily_summary_goes_once_with_counts_only(
    make_user, django_capture_on_commit_callbacks
):
    worker = make_user(email="nadia@example.org")
    for n in range(3):
        tell(worker, f"late-{n}", kind=MDT_OVERDUE, title=f"Referral R-ABC12{n} overdue")
    assert mail.outbox == []  # a digest kind by default
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(today=today) == 1
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "MDT action overdue: 3" in body and "R-ABC12" not in body
    # The beat ran twice, or a second worker took it: nothing more is sent.
    assert digest_send(today=today) == 0
    assert len(mail.outbox) == 1
    # What arrives later waits for the next day's summary.
    tell(worker, "later", kind=MDT_OVERDUE)
    assert digest_send(today=today) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(today=today + timedelta(days=1)) == 1
    assert "MDT action overdue: 1" in mail.outbox[1].body
    assert Digest.objects.count() == 2
    assert not Notification.objects.filter(digest__isnull=True).exists()


def test_a_security_event_is_emailed_whatever_the_user_chose(
    make_user, django_capture_on_commit_callbacks
):
    worker = make_user(email="nadia@example.org")
    notification_settings_save(
        user=worker, deliveries={BACKUP_CODES: Delivery.NONE}, seen_version=UNCHECKED
    )
    assert NotificationSettings.objects.get(user=worker).deliveries == {}
    with django_capture_on_commit_callbacks(execute=True):
        tell(worker, kind=BACKUP_CODES)
    assert len(mail.outbox) == 1


# --- preferences -------------------------------------------------------------------------------


def test_preferences_are_saved_per_kind(navigator, client_for):
    client = client_for(navigator)
    page = client.get(PREFERENCES)
    assert page.status_code == 200
    form = page.context["form"]
    assert ALLOCATED in form.fields
    assert "Your account was signed in to from a new device" in page.content.decode()
    data = {name: form[name].value() for name in form.fields if name != "version"}
    data[ALLOCATED] = Delivery.DIGEST
    assert client.post(PREFERENCES, data).status_code == 302
    assert NotificationSettings.objects.get(user=navigator).deliveries[ALLOCATED] == "digest"
    assert client.get(PREFERENCES).context["form"].initial[ALLOCATED] == "digest"


def test_a_stale_preferences_save_is_refused_and_keeps_the_choices(navigator, client_for):
    notification_settings_save(user=navigator, deliveries={}, seen_version=UNCHECKED)
    first, second = client_for(navigator), client_for(navigator)
    form = first.get(PREFERENCES).context["form"]
    data = {name: form[name].value() for name in form.fields}
    second.post(PREFERENCES, {**data, ALLOCATED: Delivery.NONE})
    response = first.post(PREFERENCES, {**data, ALLOCATED: Delivery.DIGEST})
    assert response.status_code == 400
    assert response.context["form"].conflict
    assert NotificationSettings.objects.get(user=navigator).deliveries[ALLOCATED] == "none"
    assert response.context["form"][ALLOCATED].value() == "digest"


def test_a_wrong_choice_is_refused_on_the_form(navigator, client_for):
    response = client_for(navigator).post(PREFERENCES, {ALLOCATED: "hourly"})
    assert response.status_code == 400
    assert not NotificationSettings.objects.exists()


# --- the sweep ---------------------------------------------------------------------------------


def test_a_second_sweep_makes_nothing_new(team, shipped_schemes):
    lead = UserFactory(role=Role.NAVIGATOR, team=team)
    leader = UserFactory(role=Role.TEAM_LEADER, team=team)
    episode = EpisodeFactory(
        person=PersonFactory(team=team), start_date=timezone.localdate() - timedelta(days=3)
    )
    AllocationFactory(episode=episode, worker=lead, kind=Allocation.Kind.LEAD_NAVIGATOR)
    referral = ReferralFactory(team=team)
    type(referral).objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - timedelta(days=10)
    )
    today = timezone.localdate()
    first = notifications_sweep(today=today)
    assert first >= 2
    assert {n.user for n in Notification.objects.all()} == {lead, leader}
    count = Notification.objects.count()
    assert notifications_sweep(today=today) == 0
    assert Notification.objects.count() == count


def test_beat_runs_the_sweep_then_the_daily_summaries_each_morning(db):
    sweep = PeriodicTask.objects.get(task="smd.notifications.tasks.notifications_sweep_daily")
    digest = PeriodicTask.objects.get(task="smd.notifications.tasks.notifications_digest_daily")
    assert (sweep.crontab.hour, sweep.crontab.minute) == ("6", "30")
    assert (digest.crontab.hour, digest.crontab.minute) == ("7", "0")
    assert sweep.crontab.day_of_week == digest.crontab.day_of_week == "*"
    for task in (sweep, digest):
        assert import_string(task.task).name == task.task  # the name the worker knows it by


def test_preferences_page_costs_a_fixed_number_of_queries(navigator, client_for, count_queries):
    client = client_for(navigator)
    # session, user, device; the user's settings (none yet); the unread count
    assert count_queries.page(client, PREFERENCES) == 5
    notification_settings_save(
        user=navigator, deliveries={ALLOCATED: Delivery.NONE}, seen_version=UNCHECKED
    )
    tell(navigator)
    assert count_queries.page(client, PREFERENCES) == 5
