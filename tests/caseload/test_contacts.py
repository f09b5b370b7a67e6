"""Logging a contact: the htmx path and the plain form, bad input, double submits, edits."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from caseload import services
from caseload.forms import ContactForm
from caseload.models import Contact, ContactVersion
from smd.models import Role
from tests.caseload.conftest import contact_form
from tests.factories import ContactFactory, OrganisationFactory, current_version

HTMX = {"HTTP_HX_REQUEST": "true"}


def new_url(person):
    return reverse("caseload:contact_new", args=[person.pk])


@pytest.fixture(autouse=True)
def _allocated(lead):
    """Peggy is on Nadia's caseload in every test here."""


def test_htmx_log_returns_the_updated_caseload_row(navigator_client, person):
    response = navigator_client.post(new_url(person), contact_form(), **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert f'id="row-{person.pk.hex}"' in page
    assert "Last contact: <strong>today</strong>" in page
    # The live region is refreshed out of band, so screen readers hear it was saved.
    assert 'hx-swap-oob="true"' in page and "Contact with Margaret Kelly (Peggy) logged." in page
    contact = Contact.objects.get()
    assert contact.author.first_name == "Nadia" and contact.duration_minutes == 20


def test_log_without_javascript_redirects_to_the_caseload(navigator_client, person):
    response = navigator_client.post(new_url(person), contact_form())
    assert response.status_code == 302
    assert response["Location"] == reverse("caseload:my_caseload")
    assert Contact.objects.count() == 1
    caseload = navigator_client.get(reverse("caseload:my_caseload")).content.decode()
    assert "Contact with Margaret Kelly (Peggy) logged." in caseload


def test_log_from_the_person_page_returns_there(navigator_client, person):
    response = navigator_client.post(new_url(person), contact_form(**{"from": "person"}))
    assert response["Location"] == person.get_absolute_url()


def test_htmx_log_on_the_person_page_refreshes_the_timeline(navigator_client, person):
    response = navigator_client.post(
        new_url(person), contact_form(**{"from": "person"}, summary="Walked to the GP."), **HTMX
    )
    page = response.content.decode()
    assert 'id="contact-panel"' in page
    assert 'id="timeline" aria-labelledby="timeline-h" hx-swap-oob="true"' in page
    assert "Walked to the GP." in page


def test_the_form_opens_inline_and_as_its_own_page(navigator_client, person):
    inline = navigator_client.get(new_url(person) + "?from=caseload", **HTMX).content.decode()
    assert "<html" not in inline and f'hx-target="#row-{person.pk.hex}"' in inline
    # A real action and a real page, so it all works without JavaScript.
    page = navigator_client.get(new_url(person)).content.decode()
    assert "<html" in page and f'action="{new_url(person)}"' in page
    assert 'name="submission_key"' in page


def test_a_typical_contact_needs_at_most_four_answers(person):
    from caseload.forms import ContactForm

    form = ContactForm(person=person)
    required = [name for name, field in form.fields.items() if field.required]
    # The key is hidden and filled in; "when" arrives filled in with now.
    assert sorted(required) == sorted(
        ["submission_key", "kind", "duration_minutes", "summary", "occurred_at"]
    )
    assert form["occurred_at"].value() is not None


def on_the_day(changes):
    """The changes with any date given as a function read now, when the test runs, rather than
    when the tests were collected (a run that crosses midnight would test yesterday)."""
    return {name: value() if callable(value) else value for name, value in changes.items()}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"occurred_at": (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")},
            "occurred_at",
            "That time is in the future",
        ),
        ({"duration_minutes": "0"}, "duration_minutes", "Enter at least 1 minute."),
        ({"duration_minutes": "900"}, "duration_minutes", "That is more than 8 hours"),
        ({"duration_minutes": "ten"}, "duration_minutes", "Enter the number of minutes"),
        ({"summary": "   "}, "summary", "Write a few words about what happened."),
        ({"kind": None}, "kind", "Choose the type of contact."),
    ],
)
def test_bad_input_gets_a_field_error_and_keeps_what_was_typed(
    navigator_client, person, changes, field, message
):
    data = contact_form(**{"summary": "Saw her at the hostel.", **changes})
    response = navigator_client.post(new_url(person), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert page.startswith("<!doctype html>") and "<title>Error: " in page
    # What was typed is still there to fix, not typed again.
    if field == "summary":
        assert 'value="20"' in page
    else:
        assert "Saw her at the hostel." in page
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "carrier_pigeon"}, "kind", "Select a valid choice."),
        ({"duration_minutes": "0"}, "duration_minutes", "Enter at least 1 minute."),
        ({"duration_minutes": "481"}, "duration_minutes", "That is more than 8 hours"),
        ({"summary": "   "}, "summary", "Write a few words about what happened."),
        (
            {"follow_up_due": lambda: timezone.localdate().isoformat(), "follow_up_action": ""},
            "follow_up_action",
            "Say what the next action is",
        ),
    ],
)
def test_the_form_holds_contacts_check_constraints_with_its_own_messages(
    person, changes, field, message, count_queries
):
    """Each of Contact's check constraints the form leaves out of model validation is one of its
    own rules: broken, it says so in words, without asking the database."""
    form = ContactForm(contact_form(**on_the_day(changes)), person=person)
    with count_queries.during() as counted:
        assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    assert not [q for q in counted if '"_check"' in q["sql"]]


def test_the_constraints_the_form_holds_are_contacts_own():
    names = {constraint.name for constraint in Contact._meta.constraints}
    assert ContactForm.CHECKED_BY_FORM.issubset(names)


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "carrier_pigeon"},
        {"duration_minutes": 0},
        {"duration_minutes": 481},
        {"summary": ""},
        {"follow_up_due": timezone.localdate, "follow_up_action": ""},
    ],
)
def test_the_database_still_refuses_a_contact_breaking_those_rules(person, navigator, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(person=person, author=navigator, **on_the_day(changes))


def test_bad_input_over_htmx_comes_back_inline_with_the_errors(navigator_client, person):
    response = navigator_client.post(
        new_url(person), contact_form(duration_minutes="0", summary="Phoned her."), **HTMX
    )
    page = response.content.decode()
    assert "<html" not in page and "There is a problem" in page and "Phoned her." in page
    assert not Contact.objects.exists()


def test_a_next_action_date_needs_the_action(navigator_client, person):
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = navigator_client.post(new_url(person), contact_form(follow_up_due=due))
    assert "follow_up_action" in response.context["form"].errors


def test_double_submit_records_one_contact(navigator_client, person):
    data = contact_form()
    first = navigator_client.post(new_url(person), data)
    second = navigator_client.post(new_url(person), data)
    assert first.status_code == second.status_code == 302
    assert Contact.objects.count() == 1


def test_double_submit_over_htmx_records_one_contact(navigator_client, person):
    data = contact_form()
    navigator_client.post(new_url(person), data, **HTMX)
    response = navigator_client.post(new_url(person), data, **HTMX)
    assert response.status_code == 200 and "Last contact: <strong>today</strong>" in (
        response.content.decode()
    )
    assert Contact.objects.count() == 1


def test_submission_key_cannot_be_reused_by_someone_else(person, navigator, make_user):
    key = services.contact_log(
        person=person,
        by=navigator,
        submission_key="6b0a2c52-1a7e-4a39-9e55-111111111111",
        occurred_at=timezone.now(),
        kind="phone",
        duration_minutes=5,
        summary="Quick call.",
    )[0].submission_key
    with pytest.raises(services.ValidationError):
        services.contact_log(
            person=person,
            by=make_user(Role.TEAM_LEADER),
            submission_key=key,
            occurred_at=timezone.now(),
            kind="phone",
            duration_minutes=5,
            summary="Another call.",
        )


def test_contact_keeps_agencies_topics_and_next_action(navigator_client, person):
    probation = OrganisationFactory(name="Northgate Probation")
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    navigator_client.post(
        new_url(person),
        contact_form(
            agencies=[str(probation.pk)],
            topics=["housing", "justice"],
            follow_up_action="Book the housing appointment",
            follow_up_due=due,
        ),
    )
    contact = Contact.objects.get()
    assert list(contact.agencies.all()) == [probation]
    assert contact.topics == ["housing", "justice"]
    assert contact.follow_up_action == "Book the housing appointment"


def test_first_contact_made_sets_the_day_support_started(navigator_client, person, episode):
    navigator_client.post(new_url(person), contact_form(kind="attempted"))
    episode.refresh_from_db()
    assert episode.start_date is None  # an attempt is not engagement
    navigator_client.post(new_url(person), contact_form())
    episode.refresh_from_db()
    assert episode.start_date == timezone.localdate()
    assert Contact.objects.filter(episode=episode).count() == 2


def test_peer_mentor_logs_contacts_with_their_own_people(
    peer_mentor_client, peer_mentor, person, episode
):
    from caseload.models import Allocation
    from tests.factories import AllocationFactory, PersonFactory

    AllocationFactory(episode=episode, worker=peer_mentor, kind=Allocation.Kind.PEER_MENTOR)
    assert peer_mentor_client.post(new_url(person), contact_form()).status_code == 302
    stranger = PersonFactory(team=person.team)
    assert peer_mentor_client.post(new_url(stranger), contact_form()).status_code == 404


def test_mdt_chair_reads_contacts_but_does_not_log_them(client_for, make_user, person):
    chair = client_for(make_user(Role.MDT_CHAIR))
    assert chair.post(new_url(person), contact_form()).status_code == 403
    assert not Contact.objects.exists()


# --- editing ------------------------------------------------------------------------------------


def edit_url(contact):
    return reverse("caseload:contact_edit", args=[contact.person_id, contact.pk])


def edit_form(contact, **changes):
    data = contact_form(
        kind=contact.kind,
        duration_minutes=str(contact.duration_minutes),
        summary=contact.summary,
        occurred_at=timezone.localtime(contact.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        submission_key=None,
        version=current_version(contact),
    )
    data.update(changes)
    return data


@pytest.fixture
def contact(person, navigator):
    return ContactFactory(person=person, author=navigator, summary="Met at the hostel.")


def test_author_corrects_a_contact_within_a_day_and_the_old_version_is_kept(
    navigator_client, contact
):
    response = navigator_client.post(edit_url(contact), edit_form(contact, duration_minutes="45"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.duration_minutes == 45 and contact.edited_at is not None
    version = contact.versions.get()
    assert version.number == 1 and version.duration_minutes == 30
    assert version.summary == "Met at the hostel." and version.edited_by.first_name == "Nadia"


def test_every_edit_keeps_the_version_before_it(navigator_client, contact):
    navigator_client.post(edit_url(contact), edit_form(contact, summary="Second version."))
    contact.refresh_from_db()
    navigator_client.post(edit_url(contact), edit_form(contact, summary="Third version."))
    summaries = list(
        ContactVersion.objects.filter(contact=contact)
        .order_by("number")
        .values_list("number", "summary")
    )
    assert summaries == [(1, "Met at the hostel."), (2, "Second version.")]
    detail = navigator_client.get(contact.get_absolute_url()).content.decode()
    assert "Met at the hostel." in detail and "Second version." in detail


def test_author_cannot_edit_after_a_day(navigator_client, contact):
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert navigator_client.get(edit_url(contact)).status_code == 403
    response = navigator_client.post(edit_url(contact), edit_form(contact, summary="Changed."))
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.summary == "Met at the hostel." and not contact.versions.exists()


def test_team_leader_edits_later_only_with_a_reason(team_leader_client, contact):
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=3))
    response = team_leader_client.post(edit_url(contact), edit_form(contact, summary="Fixed."))
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = team_leader_client.post(
        edit_url(contact),
        edit_form(contact, summary="Fixed.", reason="Logged against the wrong day."),
    )
    assert response.status_code == 302
    version = contact.versions.get()
    assert version.edit_reason == "Logged against the wrong day."
    assert version.edited_by.role == Role.TEAM_LEADER


def test_another_navigator_cannot_edit_someone_elses_contact(client_for, make_user, contact):
    other = client_for(make_user(Role.NAVIGATOR))
    assert other.get(edit_url(contact)).status_code == 403


def test_the_edit_window_is_a_setting(settings, navigator_client, contact):
    settings.CONTACT_EDIT_WINDOW_HOURS = 1
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert navigator_client.get(edit_url(contact)).status_code == 403


def test_marking_a_next_action_done(navigator_client, person, navigator):
    contact = ContactFactory(person=person, author=navigator, follow_up_action="Ring the GP")
    url = reverse("caseload:follow_up_done", args=[person.pk, contact.pk])
    response = navigator_client.post(url, {"from": "caseload"}, **HTMX)
    assert response.status_code == 200 and "Ring the GP" not in response.content.decode()
    contact.refresh_from_db()
    assert contact.follow_up_done_at is not None and contact.follow_up_done_by == navigator


def test_saving_without_a_change_keeps_no_new_version(navigator_client, contact):
    navigator_client.post(edit_url(contact), edit_form(contact))
    assert not contact.versions.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_at_once_record_one_contact(person, navigator):
    """A double tap sends two requests that race: the unique key lets only one through, and
    the other finds it."""
    import threading
    import uuid

    from django.db import connection

    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    created = []

    def submit():
        try:
            barrier.wait()
            _, was_created = services.contact_log(
                person=person,
                by=navigator,
                submission_key=key,
                occurred_at=timezone.now(),
                kind="phone",
                duration_minutes=5,
                summary="Called to check in.",
            )
            created.append(was_created)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created) == [False, True]
    assert Contact.objects.filter(submission_key=key).count() == 1


def test_a_reused_form_for_a_different_contact_is_refused_not_dropped(navigator_client, person):
    data = contact_form()
    navigator_client.post(new_url(person), data)
    # Back button: the same form (same hidden key) reused for the next contact.
    reused = {**data, "summary": "A different conversation, later that day."}
    response = navigator_client.post(new_url(person), reused)
    page = response.content.decode()
    assert response.status_code in {200, 400}
    assert "already used for another contact" in page
    assert "A different conversation, later that day." in page
    assert Contact.objects.count() == 1


def test_a_backdated_contact_moves_the_start_of_support_earlier(person, navigator):
    episode = person.episodes.get()
    episode.accepted_on = timezone.localdate() - timedelta(days=60)
    episode.start_date = None
    episode.save()
    for days_ago, key in [
        (0, "11111111-1111-4111-8111-111111111111"),
        (20, "22222222-2222-4222-8222-222222222222"),
    ]:
        services.contact_log(
            person=person,
            by=navigator,
            submission_key=key,
            occurred_at=timezone.now() - timedelta(days=days_ago),
            kind="face_to_face",
            duration_minutes=30,
            summary=f"Met {days_ago} days ago.",
        )
    episode.refresh_from_db()
    assert episode.start_date == timezone.localdate() - timedelta(days=20)
