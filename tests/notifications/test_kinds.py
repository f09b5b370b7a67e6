"""Each kind of notification reaches the people it is for, and nobody else, by reference."""

from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentScheme
from assessments.notifications import DUE_SOON as NDT_DUE
from assessments.notifications import OVERDUE as NDT_OVERDUE
from assessments.services import assessment_save
from caseload import services as caseload_services
from caseload.models import Allocation
from caseload.notifications import ALLOCATED
from referrals.notifications import WAITING
from returns import tasks as return_tasks
from returns.models import QuarterlyReturn
from returns.notifications import FAILED as RETURN_FAILED
from returns.notifications import READY as RETURN_READY
from returns.services import return_request
from sharing.notifications import COMING_UP, REACHED
from smd.models import Role
from smd.notifications.models import KnownDevice, Notification
from smd.notifications.security import (
    BACKUP_CODES,
    DEVICE_COOKIE,
    NEW_DEVICE,
    SECOND_FACTOR_RESET,
    device_recognise,
)
from smd.notifications.services import notifications_sweep
from smd.quarters import Quarter
from smd.two_factor import services as two_factor_services
from tests.conftest import app_code, app_device
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
    dsa_for_mdt,
    share_for_mdt,
)

TODAY = timezone.localdate()
PASSWORD = "a-long-test-password"


def of_kind(kind):
    return list(Notification.objects.filter(kind=kind).select_related("user"))


def people_told(kind):
    return {n.user for n in of_kind(kind)}


# --- NDT -------------------------------------------------------------------------------------


@pytest.fixture
def lead_episode(team, navigator, shipped_schemes):
    person = PersonFactory(team=team, first_name="Leonora", last_name="Quigley")
    episode = EpisodeFactory(person=person, start_date=TODAY - timedelta(weeks=20))
    AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    return episode


def _assess(episode, on, by):
    scheme = AssessmentScheme.objects.get(code="ndt-standard", version=1)
    return assessment_save(
        person=episode.person,
        episode=episode,
        scheme=scheme,
        assessed_on=on,
        assessor=by,
        participation="yes",
        scores={item.key: 1 for item in scheme.items.all()},
        notes={},
        complete=True,
        by=by,
    )


def test_the_lead_navigator_is_reminded_a_week_before_an_ndt_review(
    lead_episode, navigator, team_leader, settings
):
    # Reviewed 13 weeks less 5 days ago: due in 5 days.
    _assess(lead_episode, TODAY - timedelta(weeks=13) + timedelta(days=5), navigator)
    notifications_sweep(today=TODAY)
    (reminder,) = of_kind(NDT_DUE)
    assert reminder.user == navigator
    assert reminder.due == TODAY + timedelta(days=5)
    assert reminder.title.startswith("NDT review due on")
    assert "Leonora" not in reminder.title and "Quigley" not in reminder.title
    assert reminder.url == reverse("assessments:history", args=[lead_episode.person_id])
    assert not of_kind(NDT_OVERDUE)


def test_no_reminder_more_than_a_week_ahead(lead_episode, navigator):
    _assess(lead_episode, TODAY - timedelta(weeks=13) + timedelta(days=8), navigator)
    notifications_sweep(today=TODAY)
    assert not Notification.objects.exists()


def test_an_overdue_ndt_is_told_once_and_not_again_the_next_day(lead_episode, navigator):
    _assess(lead_episode, TODAY - timedelta(weeks=14), navigator)
    notifications_sweep(today=TODAY)
    notifications_sweep(today=TODAY + timedelta(days=1))
    (overdue,) = of_kind(NDT_OVERDUE)
    assert overdue.user == navigator and "overdue since" in overdue.title


def test_a_baseline_never_done_is_overdue_from_the_start(lead_episode, navigator):
    notifications_sweep(today=TODAY)
    (overdue,) = of_kind(NDT_OVERDUE)
    assert overdue.title.startswith("NDT baseline overdue")


def test_a_paused_or_closed_episode_is_not_reminded(lead_episode):
    type(lead_episode).objects.filter(pk=lead_episode.pk).update(status="paused")
    notifications_sweep(today=TODAY)
    assert not Notification.objects.exists()


# --- allocation --------------------------------------------------------------------------------


def test_the_worker_allocated_and_the_one_handed_over_to_are_told(team, team_leader, make_user):
    first, second = make_user(), make_user()
    person = PersonFactory(team=team, first_name="Leonora")
    episode = EpisodeFactory(person=person, status="awaiting_allocation", start_date=None)
    allocation = caseload_services.allocation_create(
        episode=episode, worker=first, kind=Allocation.Kind.LEAD_NAVIGATOR, by=team_leader
    )
    (told,) = of_kind(ALLOCATED)
    assert told.user == first and told.url == person.get_absolute_url()
    assert "Leonora" not in told.title
    caseload_services.allocation_hand_over(
        allocation=allocation, to=second, by=team_leader, reason="Closer to where they stay"
    )
    assert people_told(ALLOCATED) == {first, second}
    handed = Notification.objects.get(kind=ALLOCATED, user=second)
    assert "handed over to you" in handed.title


def test_an_allocation_refused_tells_nobody(team, team_leader, make_user):
    worker = make_user()
    episode = EpisodeFactory(person=PersonFactory(team=team))
    AllocationFactory(episode=episode, worker=worker, kind=Allocation.Kind.LEAD_NAVIGATOR)
    with pytest.raises(Exception):  # noqa: B017 - whatever the refusal, nothing is kept
        caseload_services.allocation_create(
            episode=episode, worker=make_user(), kind=Allocation.Kind.LEAD_NAVIGATOR, by=team_leader
        )
    assert not Notification.objects.exists()


# --- referrals -------------------------------------------------------------------------------


def _received(referral, days_ago):
    type(referral).objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_a_referral_waiting_a_week_is_told_to_the_teams_leaders(team, team_leader, make_user):
    second_leader = make_user(Role.TEAM_LEADER)
    make_user(Role.NAVIGATOR)
    elsewhere = UserFactory(role=Role.TEAM_LEADER, team=TeamFactory())
    waiting = ReferralFactory(team=team)
    _received(waiting, 7)
    _received(ReferralFactory(team=team), 6)
    decided = ReferralFactory(team=team, status="withdrawn")
    _received(decided, 30)
    notifications_sweep(today=TODAY)
    assert people_told(WAITING) == {team_leader, second_leader}
    assert elsewhere not in people_told(WAITING)
    told = of_kind(WAITING)[0]
    assert told.title == f"Referral {waiting.reference} has waited 7 days or more for a decision"
    assert told.url == reverse("referrals:detail", args=[waiting.pk])


@override_settings(REFERRAL_WAITING_DAYS=3)
def test_how_long_a_referral_may_wait_is_a_setting(team, team_leader):
    _received(ReferralFactory(team=team), 3)
    notifications_sweep(today=TODAY)
    assert people_told(WAITING) == {team_leader}


# --- sharing -----------------------------------------------------------------------------------


def test_a_persons_sharing_agreement_is_told_30_days_before_and_on_the_day(
    team, team_leader, make_user, partner_org
):
    manager = make_user(Role.MANAGER)
    navigator = make_user(Role.NAVIGATOR)
    person = PersonFactory(team=team, first_name="Leonora")
    (agreement,) = share_for_mdt(
        person, partner_org, by=navigator, expires_on=TODAY + timedelta(days=30)
    )
    notifications_sweep(today=TODAY - timedelta(days=1))
    assert not Notification.objects.exists()  # 31 days before: not yet
    notifications_sweep(today=TODAY)
    assert people_told(COMING_UP) == {team_leader, manager}
    notifications_sweep(today=TODAY + timedelta(days=1))
    assert Notification.objects.count() == 2  # once per date, not each day
    notifications_sweep(today=agreement.expires_on)
    assert people_told(REACHED) == {team_leader, manager}
    assert all("Leonora" not in n.title for n in Notification.objects.all())


def test_a_withdrawn_agreement_is_not_told(team, team_leader, partner_org):
    (agreement,) = share_for_mdt(
        PersonFactory(team=team), partner_org, by=team_leader, expires_on=TODAY
    )
    type(agreement).objects.filter(pk=agreement.pk).update(
        withdrawn_at=timezone.now(), withdrawn_by=team_leader
    )
    notifications_sweep(today=TODAY)
    assert not Notification.objects.exists()


def test_a_data_sharing_agreements_review_is_told_to_each_partys_leaders_and_managers(
    team, team_leader, make_user
):
    manager = make_user(Role.MANAGER)
    partner = OrganisationFactory(name="Northgate Probation")
    partner_team = TeamFactory(organisation=partner)
    partner_manager = UserFactory(role=Role.MANAGER, team=partner_team)
    bystander = UserFactory(role=Role.MANAGER, team=TeamFactory())
    dsa_for_mdt(team.organisation, partner, by=manager, review_on=TODAY)
    notifications_sweep(today=TODAY)
    told = people_told(REACHED)
    assert told == {team_leader, manager, partner_manager}
    assert bystander not in told
    assert of_kind(REACHED)[0].url == reverse("sharing:register")


# --- returns -----------------------------------------------------------------------------------


def test_the_manager_who_asked_hears_the_return_is_ready(
    team, make_user, django_capture_on_commit_callbacks
):
    manager = make_user(Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        qr = return_request(team=team, quarter=Quarter(2025, 3), by=manager)
    qr.refresh_from_db()
    assert qr.status == QuarterlyReturn.Status.DONE
    (ready,) = of_kind(RETURN_READY)
    assert ready.user == manager and "2025/26 Q3" in ready.title


def test_the_manager_who_asked_hears_the_return_failed(
    team, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    manager = make_user(Role.MANAGER)

    def broken(*args, **kwargs):
        raise ValueError("a figure could not be worked out")

    monkeypatch.setattr(return_tasks, "build_return", broken)
    with django_capture_on_commit_callbacks(execute=True):
        return_request(team=team, quarter=Quarter(2025, 3), by=manager)
    (failed,) = of_kind(RETURN_FAILED)
    assert failed.user == manager and "could not be built" in failed.title
    assert not of_kind(RETURN_READY)


# --- security ----------------------------------------------------------------------------------


def test_new_backup_codes_are_told_to_the_user(navigator):
    two_factor_services.backup_codes_replace(user=navigator)
    (told,) = of_kind(BACKUP_CODES)
    assert told.user == navigator


def test_the_backup_codes_made_at_set_up_are_not_a_security_event(navigator):
    device = two_factor_services.app_device_start(user=navigator)
    with pytest.raises(two_factor_services.CodeRefused):
        two_factor_services.app_device_confirm(device=device, code="000000x")
    assert not of_kind(BACKUP_CODES)


def test_a_reset_is_told_to_the_user(navigator, make_user):
    admin = make_user(Role.ADMIN)
    two_factor_services.second_factor_reset(user=navigator, by=admin)
    (told,) = of_kind(SECOND_FACTOR_RESET)
    assert told.user == navigator and told.delivery == "none"  # the account email told them


def _sign_in_fully(client, user):
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client.post(reverse("two_factor:verify"), {"code": app_code(user), "next": "/"})


def test_a_sign_in_from_a_new_device_is_told_and_a_known_one_is_not(navigator):
    app_device(navigator)
    first = Client()
    response = _sign_in_fully(first, navigator)
    assert response.status_code == 302 and DEVICE_COOKIE in response.cookies
    assert not of_kind(NEW_DEVICE)  # the first device of all: nothing to compare with
    _sign_in_fully(Client(), navigator)
    (told,) = of_kind(NEW_DEVICE)
    assert told.user == navigator and "new device" in told.title
    # The first browser again, with its cookie: known, nothing new.
    request = RequestFactory().get("/")
    request.user = navigator
    request.COOKIES[DEVICE_COOKIE] = first.cookies[DEVICE_COOKIE].value
    device_recognise(request, HttpResponse())
    assert len(of_kind(NEW_DEVICE)) == 1
    assert KnownDevice.objects.filter(user=navigator).count() == 2


def test_a_forged_device_cookie_counts_as_a_new_device(navigator):
    app_device(navigator)
    _sign_in_fully(Client(), navigator)
    request = RequestFactory().get("/")
    request.user = navigator
    request.COOKIES[DEVICE_COOKIE] = "made-up:not-signed"
    device_recognise(request, HttpResponse())
    assert len(of_kind(NEW_DEVICE)) == 1


def test_a_data_sharing_agreements_end_date_is_told_before_it_comes(team, team_leader, make_user):
    manager = make_user(Role.MANAGER)
    partner = OrganisationFactory(name="Northgate Probation")
    dsa = dsa_for_mdt(team.organisation, partner, by=manager, ended_on=TODAY + timedelta(days=10))
    notifications_sweep(today=TODAY)
    (ending,) = Notification.objects.filter(kind=COMING_UP, user=manager)
    assert ending.key == f"dsa:{dsa.pk}:end"
    assert "reaches its end date" in ending.title
