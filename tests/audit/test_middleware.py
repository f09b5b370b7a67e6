"""Pages about people write the audit log by themselves: views, changes and refusals."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from caseload.outcomes import services as outcome_services
from mdt import services as mdt_services
from mdt.models import MdtMeeting, MdtReferral
from returns.models import QuarterlyReturn
from smd.audit.models import AuditAction, AuditEvent
from smd.audit.policy import AUDITED, NOT_AUDITED
from smd.models import Role
from tests.factories import (
    ContactFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    new_key,
    share_for_mdt,
)
from tests.test_access import url_names


def url_arguments(resolver=None, namespace=""):
    """{url name: the names of its arguments}, walked from the URL configuration."""
    resolver = resolver or get_resolver()
    found = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            for name, args in url_arguments(pattern, ns).items():
                found[name] = args | set(pattern.pattern.converters)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[f"{namespace}{pattern.name}"] = set(pattern.pattern.converters)
    return found


def test_every_url_is_audited_or_says_why_not():
    names = set(url_names())
    assert not set(AUDITED) & set(NOT_AUDITED)
    assert names - set(AUDITED) - set(NOT_AUDITED) == set(), "say how these pages are audited"
    assert set(AUDITED) | set(NOT_AUDITED) == names


def test_the_arguments_the_policy_names_are_in_the_urls():
    arguments = url_arguments()
    for name, rule in AUDITED.items():
        if rule.person:
            assert rule.person in arguments[name], name
        if rule.obj:
            assert rule.obj[0] in arguments[name], name


def test_pages_with_a_person_in_the_url_are_audited():
    # A page that takes a person's id is about that person: it may not opt out. In the person
    # record's own apps, every page with an id in its URL is about a person.
    arguments = url_arguments()
    for name in NOT_AUDITED:
        assert "person_pk" not in arguments[name], name
        if name.split(":")[0] in {"caseload", "assessments", "reqol", "audit"}:
            assert not arguments[name], name


@pytest.fixture
def person(team):
    person = PersonFactory(team=team)
    EpisodeFactory(person=person)
    return person


def only_event():
    (event,) = AuditEvent.objects.all()
    return event


def test_opening_a_person_page_is_logged(navigator, navigator_client, person):
    response = navigator_client.get(
        person.get_absolute_url() + "?tab=timeline", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200

    event = only_event()
    assert (event.user, event.action, event.person_id) == (navigator, AuditAction.VIEW, person.pk)
    assert event.path == person.get_absolute_url()
    assert (event.method, event.status_code, event.ip_address) == ("GET", 200, "10.1.2.3")
    assert event.description == "Person page and timeline"


def test_a_record_within_is_named(navigator, navigator_client, person):
    contact = ContactFactory(person=person, author=navigator)
    navigator_client.get(reverse("caseload:contact_detail", args=[person.pk, contact.pk]))
    event = only_event()
    assert (event.object_type, event.object_id) == ("caseload.contact", str(contact.pk))


def test_a_change_is_logged_as_a_change(navigator, navigator_client, person):
    url = reverse("caseload:goal_new", args=[person.pk])
    response = navigator_client.post(
        url,
        {
            "in_their_words": "Get my own place",
            "status": "not_started",
            "review_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
            **new_key(),
        },
    )
    assert response.status_code == 302
    event = only_event()
    assert (event.action, event.person_id, event.method) == (AuditAction.CREATE, person.pk, "POST")


def test_a_form_shown_again_with_errors_is_a_view_not_a_change(navigator_client, person):
    response = navigator_client.post(
        reverse("caseload:goal_new", args=[person.pk]), {"status": "not_started"}
    )
    assert response.status_code == 400
    assert only_event().action == AuditAction.VIEW


def test_someone_elses_person_is_logged_as_denied(client_for, other_team, person):
    from tests.factories import UserFactory

    outsider = UserFactory(role=Role.NAVIGATOR, team=other_team)
    response = client_for(outsider).get(person.get_absolute_url())
    assert response.status_code == 404
    event = only_event()
    assert (event.user, event.action, event.person_id) == (outsider, AuditAction.DENIED, person.pk)
    assert event.status_code == 404


def test_the_wrong_role_is_logged_as_denied(make_user, client_for, person):
    manager = make_user(Role.MANAGER)
    response = client_for(manager).get(reverse("caseload:goal_new", args=[person.pk]))
    assert response.status_code == 403
    assert (only_event().action, only_event().status_code) == (AuditAction.DENIED, 403)


def test_a_denied_case_record_names_the_id_tried(make_user, client_for, other_team):
    import uuid

    tried = uuid.uuid4()
    client_for(make_user(Role.NAVIGATOR)).get(reverse("mdt:case", args=[tried]))
    event = only_event()
    assert event.action == AuditAction.DENIED and event.person_id is None
    assert (event.object_type, event.object_id) == ("mdt.agendaitem", str(tried))


def test_an_mdt_case_record_is_logged_against_its_person(make_user, client_for, person):
    chair = make_user(Role.MDT_CHAIR)
    meeting = mdt_services.meeting_create(
        meeting=MdtMeeting(
            team=person.team,
            starts_at=timezone.now() + timedelta(days=1),
            place="Room 4",
            chair=chair,
        ),
        organisations=[],
        members=[],
    )
    referral = MdtReferral.objects.create(
        person=person,
        source="navigator",
        referring_organisation=person.team.organisation,
        referred_by=chair,
        why_now="Risk rising",
        tried="Hostel",
        asked_of_partners="Joint plan",
        sharing_basis="agreed",
    )
    share_for_mdt(person, OrganisationFactory(name="Northgate Probation"), by=chair)
    item = mdt_services.agenda_add(meeting=meeting, person=person, mdt_referral=referral)
    client_for(chair).get(reverse("mdt:case", args=[item.pk]))
    event = only_event()
    assert (event.action, event.person_id) == (AuditAction.VIEW, person.pk)
    assert (event.object_type, event.object_id) == ("mdt.agendaitem", str(item.pk))


def test_an_export_is_logged_as_an_export(navigator_client, person):
    response = navigator_client.get(reverse("caseload:plan_pdf", args=[person.pk]))
    assert response.status_code == 200
    assert only_event().action == AuditAction.EXPORT


def test_a_quarterly_return_download_is_logged(make_user, client_for, team):
    manager = make_user(Role.MANAGER)
    done = QuarterlyReturn.objects.create(
        team=team, quarter="2025/26 Q3", version=1, status="done", figures=[]
    )
    done.csv.save("r.csv", ContentFile(b"section,key"), save=True)
    response = client_for(manager).get(reverse("returns:download_csv", args=[done.pk]))
    assert response.status_code == 200
    event = only_event()
    assert (event.action, event.object_type) == (AuditAction.DOWNLOAD, "returns.quarterlyreturn")
    assert event.object_id == str(done.pk)


def test_lists_of_names_are_not_logged(navigator_client, person):
    navigator_client.get(reverse("caseload:person_list"))
    assert not AuditEvent.objects.exists()


def test_signed_out_requests_are_not_logged(client, person):
    assert client.get(person.get_absolute_url()).status_code == 302
    assert not AuditEvent.objects.exists()


def test_goal_review_is_logged_with_its_goal(navigator, navigator_client, person):
    goal = outcome_services.goal_add(
        person=person,
        by=navigator,
        in_their_words="Get my own place",
        review_on=timezone.localdate(),
    )
    navigator_client.get(reverse("caseload:goal_review", args=[person.pk, goal.pk]))
    event = only_event()
    assert (event.object_type, event.object_id) == ("caseload.goal", str(goal.pk))
