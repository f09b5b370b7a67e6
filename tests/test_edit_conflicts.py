"""Two editors: every form that edits an existing record refuses a save from a form opened
before someone else saved, shows both versions and keeps what was typed (ADR 0023).

Each test opens the form as Alice and as Bob, lets Alice save, then has Bob save from his
older page: Bob is refused, sees what Alice saved beside what he typed, his typing is still in
the form, and nothing of his is written. Saving again from the re-shown form is deliberate and
goes through.
"""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload import services as caseload_services
from caseload.forms import PersonForm
from caseload.models import Allocation, Person
from caseload.outcomes import services as outcome_services
from referrals.models import Referral
from sharing.models import LawfulBasis
from smd.models import Role, Team
from tests.factories import (
    AllocationFactory,
    ContactFactory,
    EpisodeFactory,
    NavigatorFactory,
    OrganisationFactory,
    PeerMentorFactory,
    PersonFactory,
    ReferralFactory,
    dsa_for_mdt,
    new_key,
    share_for_mdt,
)
from tests.hostile import as_post

REFUSED = "Someone else saved this record since you opened it"


def opened(client, url, form_key="form"):
    """The form as the page showed it, as a browser would send it back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context[form_key]


def refused(response):
    """The re-shown form after a refused save, with the comparison on the page."""
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert REFUSED in page
    form = response.context["form"]
    assert form.conflict is not None
    return form, page


def row(form, label_start):
    return next(r for r in form.conflict_rows if str(r["label"]).startswith(label_start))


@pytest.fixture
def alice(make_user):
    return make_user(Role.NAVIGATOR, first_name="Alice")


@pytest.fixture
def bob(make_user):
    return make_user(Role.NAVIGATOR, first_name="Bob")


@pytest.fixture
def clients(client_for, alice, bob):
    return client_for(alice), client_for(bob)


# --- person ------------------------------------------------------------------------------------


def test_stale_person_save_keeps_the_phone_number_and_the_typed_safety_note(team, clients):
    person = PersonFactory(team=team, phone="07700 900001")
    url = reverse("caseload:person_edit", args=[person.pk])
    a, b = clients
    form_a, form_b = opened(a, url), opened(b, url)
    assert a.post(url, as_post(form_a, phone="07700 900999")).status_code == 302

    response = b.post(
        url, as_post(form_b, contact_notes="Do not call after 6pm.", risk_flags=["overdose"])
    )

    form, page = refused(response)
    assert row(form, "Phone")["stored"] == "07700 900999"
    assert row(form, "Phone")["yours"] == "07700 900001"
    assert "Do not call after 6pm." in page  # still in the form
    person.refresh_from_db()
    assert person.phone == "07700 900999"
    assert person.contact_notes == "" and person.risk_flags == []
    assert person.version == 2


def test_saving_again_from_the_refused_form_is_deliberate_and_goes_through(team, clients):
    person = PersonFactory(team=team, phone="07700 900001")
    url = reverse("caseload:person_edit", args=[person.pk])
    a, b = clients
    form_a, form_b = opened(a, url), opened(b, url)
    a.post(url, as_post(form_a, phone="07700 900999"))
    form, _ = refused(b.post(url, as_post(form_b, contact_notes="Text only.")))

    # The re-shown form carries the new version: Bob saves, having seen Alice's number.
    again = b.post(url, {**form.data.dict(), "phone": "07700 900999"})

    assert again.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.contact_notes) == ("07700 900999", "Text only.")


def test_a_post_without_the_version_is_refused_rather_than_guessed(team, clients):
    person = PersonFactory(team=team, phone="07700 900001")
    url = reverse("caseload:person_edit", args=[person.pk])
    a, _ = clients
    data = as_post(opened(a, url), phone="07700 900777", version=None)
    refused(a.post(url, data))
    assert Person.objects.get(pk=person.pk).phone == "07700 900001"


def test_safety_flags_cannot_be_reverted_from_an_older_form(team, clients):
    person = PersonFactory(team=team)
    url = reverse("caseload:person_edit", args=[person.pk])
    a, b = clients
    form_a, form_b = opened(a, url), opened(b, url)
    a.post(url, as_post(form_a, risk_flags=["visit_in_pairs", "domestic_abuse"]))

    form, _ = refused(b.post(url, as_post(form_b, known_as="Jo")))

    flags = row(form, "Before seeing them")
    assert flags["stored"] == "Domestic abuse: the abuser may be present, Visit in pairs"
    assert flags["yours"] == "(blank)"
    assert Person.objects.get(pk=person.pk).risk_flags == ["visit_in_pairs", "domestic_abuse"]


def test_person_form_knows_the_version_it_was_opened_on(team):
    person = PersonFactory(team=team)
    assert PersonForm(instance=person).initial["version"] == f"{person.pk}:1"


# --- contacts ----------------------------------------------------------------------------------


def test_stale_contact_correction_is_refused_and_keeps_the_typed_summary(
    team, alice, make_user, client_for
):
    person = PersonFactory(team=team)
    contact = ContactFactory(person=person, author=alice, summary="Met at the hostel.")
    url = reverse("caseload:contact_edit", args=[person.pk, contact.pk])
    # The author corrects it; a team leader, who must say why, corrects it too.
    a, b = client_for(alice), client_for(make_user(Role.TEAM_LEADER, first_name="Bob"))
    form_a, form_b = opened(a, url), opened(b, url)
    assert (
        a.post(url, as_post(form_a, summary="Met at the hostel, then the GP.")).status_code == 302
    )

    typed = as_post(form_b, summary="Met at the day centre.", reason="Wrong place")
    form, page = refused(b.post(url, typed))

    assert row(form, "What happened")["stored"] == "Met at the hostel, then the GP."
    assert "Met at the day centre." in page
    contact.refresh_from_db()
    assert contact.summary == "Met at the hostel, then the GP." and contact.versions.count() == 1


# --- support plan goals ------------------------------------------------------------------------


@pytest.fixture
def goal(team, alice):
    person = PersonFactory(team=team)
    EpisodeFactory(person=person)
    return outcome_services.goal_add(
        person=person, by=alice, in_their_words="Get my own flat", review_on=timezone.localdate()
    )


def test_stale_goal_edit_is_refused_and_keeps_the_typed_words(goal, clients):
    url = reverse("caseload:goal_edit", args=[goal.person_id, goal.pk])
    a, b = clients
    form_a, form_b = opened(a, url), opened(b, url)
    assert (
        a.post(url, as_post(form_a, step_1_what="Bidding on the housing register")).status_code
        == 302
    )

    form, page = refused(b.post(url, as_post(form_b, in_their_words="Get a flat near my sister")))

    assert row(form, "Step 1: what")["stored"] == "Bidding on the housing register"
    assert row(form, "Step 1: what")["yours"] == "(blank)"
    assert "Get a flat near my sister" in page
    goal.refresh_from_db()
    assert goal.in_their_words == "Get my own flat"
    assert goal.steps[0]["what"] == "Bidding on the housing register"


def test_stale_goal_review_is_refused_and_records_no_review(goal, clients):
    url = reverse("caseload:goal_review", args=[goal.person_id, goal.pk])
    a, b = clients
    form_a, form_b = opened(a, url), opened(b, url)
    assert (
        a.post(url, as_post(form_a, to_status="achieved", note="Keys on Friday")).status_code == 302
    )

    form, page = refused(
        b.post(url, as_post(form_b, to_status="in_progress", note="Still waiting"))
    )

    assert row(form, "How is the goal going")["stored"] == "Achieved"
    assert row(form, "How is the goal going")["yours"] == "In progress"
    assert "Still waiting" in page
    goal.refresh_from_db()
    assert goal.status == "achieved" and goal.reviews.count() == 1


# --- allocations -------------------------------------------------------------------------------


@pytest.fixture
def allocated(team, make_user, client_for):
    leader_a = make_user(Role.TEAM_LEADER, first_name="Alice")
    leader_b = make_user(Role.TEAM_LEADER, first_name="Bob")
    nadia = NavigatorFactory(team=team, first_name="Nadia")
    episode = EpisodeFactory(person=PersonFactory(team=team))
    lead = AllocationFactory(episode=episode, worker=nadia, kind=Allocation.Kind.LEAD_NAVIGATOR)
    return lead, client_for(leader_a), client_for(leader_b)


def _handover(form, worker, reason):
    return {
        "form": "lead",
        "lead-worker": str(worker.pk),
        "lead-reason": reason,
        "lead-version": form["version"].value(),
        "lead-submission_key": form["submission_key"].value(),
    }


def test_stale_handover_is_refused_and_the_first_handover_stands(team, allocated):
    lead, a, b = allocated
    samir = NavigatorFactory(team=team, first_name="Samir")
    tom = NavigatorFactory(team=team, first_name="Tom")
    url = reverse("caseload:allocate", args=[lead.episode.person_id])
    form_a = a.get(url).context["forms"]["lead"]
    form_b = b.get(url).context["forms"]["lead"]
    assert a.post(url, _handover(form_a, samir, "Nadia is on leave.")).status_code == 302

    response = b.post(url, _handover(form_b, tom, "Tom knows him."))

    page = response.content.decode()
    assert REFUSED in page and "Tom knows him." in page
    form = response.context["forms"]["lead"]
    assert row(form, "Hand over")["stored"] == "Samir " + samir.last_name
    current = lead.episode.allocations.current().get(kind=Allocation.Kind.LEAD_NAVIGATOR)
    assert current.worker == samir
    assert lead.episode.allocations.count() == 2  # Nadia's, ended, and Samir's: none for Tom


def test_stale_end_of_peer_support_is_refused(team, allocated):
    lead, a, b = allocated
    pete = PeerMentorFactory(team=team, first_name="Pete")
    peer = AllocationFactory(episode=lead.episode, worker=pete, kind=Allocation.Kind.PEER_MENTOR)
    samir = NavigatorFactory(team=team)
    url = reverse("caseload:allocate", args=[lead.episode.person_id])
    version_b = b.get(url).context["end_form"]["version"].value()
    caseload_services.allocation_end(allocation=peer, by=samir, reason="Moving on.")
    # Ended and then, say, allocated again: Bob's page is about an allocation that has ended.
    again = caseload_services.allocation_create(
        episode=lead.episode, worker=pete, kind=Allocation.Kind.PEER_MENTOR, by=samir
    )

    response = b.post(url, {"form": "end", "end-reason": "Not needed", "end-version": version_b})

    page = response.content.decode()
    assert REFUSED in page and "Not needed" in page
    again.refresh_from_db()
    assert again.ended_at is None


# --- referrals ---------------------------------------------------------------------------------


@pytest.fixture
def triage(make_user, client_for):
    return (
        client_for(make_user(Role.TEAM_LEADER, first_name="Alice")),
        client_for(make_user(Role.TEAM_LEADER, first_name="Bob")),
    )


def test_stale_referral_decision_is_refused_and_keeps_the_typed_reason(team, triage):
    referral = ReferralFactory(team=team)
    url = referral.get_absolute_url()
    decide = reverse("referrals:decide", args=[referral.pk])
    a, b = triage
    form_a = opened(a, url, "decision_form")
    form_b = opened(b, url, "decision_form")
    withdrawn = as_post(form_a, outcome="withdrawn", reason="Moved away")
    assert a.post(decide, withdrawn).status_code == 302

    response = b.post(decide, as_post(form_b, outcome="not_eligible", reason="Only two needs"))

    form, page = refused(response)
    assert row(form, "Outcome")["stored"] == "Withdrawn"
    assert "Only two needs" in page
    referral.refresh_from_db()
    assert referral.status == "withdrawn" and referral.decisions.count() == 1


def test_stale_link_to_a_person_is_refused(team, triage):
    referral = ReferralFactory(team=team, first_name="Peggy", last_name="Kelly")
    first = PersonFactory(team=team, first_name="Peggy", last_name="Kelly")
    second = PersonFactory(team=team, first_name="Margaret", last_name="Kelly")
    link = reverse("referrals:link", args=[referral.pk])
    a, b = triage
    version = referral.version_token
    a.post(link, {"person": first.pk, "version": version})

    response = b.post(link, {"person": second.pk, "version": version}, follow=True)

    assert "Someone else saved this referral since you opened it" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).person == first


# --- sharing -----------------------------------------------------------------------------------


def test_stale_lawful_basis_is_refused_and_the_newer_basis_stands(team, clients):
    person = PersonFactory(team=team)
    url = reverse("sharing:lawful_basis", args=[person.pk])
    a, b = clients
    a.post(url, {"article_6": "consent", "article_9": "explicit_consent", **new_key()})
    form_a, form_b = opened(a, url), opened(b, url)
    assert a.post(url, as_post(form_a, article_6="public_task")).status_code == 302

    form, page = refused(b.post(url, as_post(form_b, article_6="vital_interests", notes="Crisis")))

    assert row(form, "Lawful basis for holding")["stored"].startswith("A public task")
    assert "Crisis" in page
    assert LawfulBasis.objects.filter(person=person).count() == 2
    assert LawfulBasis.objects.filter(person=person).first().article_6 == "public_task"


def test_stale_withdrawal_is_refused_and_keeps_the_typed_reason(team, clients, alice):
    person = PersonFactory(team=team)
    (agreement,) = share_for_mdt(person, OrganisationFactory(), by=alice)
    url = reverse("sharing:agreement_withdraw", args=[person.pk, agreement.pk])
    a, b = clients
    form_a, form_b = opened(a, url), opened(b, url)
    assert a.post(url, as_post(form_a, reason="Said no on the phone")).status_code == 302

    form, page = refused(b.post(url, as_post(form_b, reason="Said no at the drop-in")))

    assert row(form, "What the person said")["stored"] == "Said no on the phone"
    assert "Said no at the drop-in" in page
    agreement.refresh_from_db()
    assert agreement.withdrawal_reason == "Said no on the phone"


def test_stale_register_entry_is_refused_and_keeps_the_typed_location(team, make_user, client_for):
    managers = [make_user(Role.MANAGER, first_name=n) for n in ("Alice", "Bob")]
    a, b = (client_for(m) for m in managers)
    (dsa,) = [dsa_for_mdt(team.organisation, OrganisationFactory(), by=managers[0])]
    url = reverse("sharing:dsa_edit", args=[dsa.pk])
    form_a, form_b = opened(a, url), opened(b, url)
    review = (timezone.localdate() + timedelta(days=90)).isoformat()
    assert a.post(url, as_post(form_a, review_on=review)).status_code == 302

    form, page = refused(b.post(url, as_post(form_b, document_location="The blue folder")))

    assert row(form, "Review by")["stored"] == f"{date.fromisoformat(review):%-d %B %Y}"
    assert "The blue folder" in page
    dsa.refresh_from_db()
    assert dsa.review_on.isoformat() == review and dsa.document_location != "The blue folder"


# --- the admin ---------------------------------------------------------------------------------


def _admin_post(form, **changes):
    """An admin change form as the browser sends it back, with `changes`."""
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        if value is None or value is False:
            continue
        if isinstance(value, datetime):
            data[f"{bound.html_name}_0"] = f"{value:%Y-%m-%d}"
            data[f"{bound.html_name}_1"] = f"{value:%H:%M:%S}"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif value is True:
            data[bound.html_name] = "on"
        else:
            data[bound.html_name] = str(getattr(value, "pk", value))
    data.update(changes)
    return data


@pytest.fixture
def admins(make_user, client_for):
    return [
        client_for(make_user(Role.ADMIN, is_staff=True, is_superuser=True, team=None))
        for _ in range(2)
    ]


def test_stale_admin_save_of_a_team_is_refused(team, admins):
    a, b = admins
    url = reverse("admin:smd_team_change", args=[team.pk])
    form_a = a.get(url).context["adminform"].form
    form_b = b.get(url).context["adminform"].form
    assert a.post(url, _admin_post(form_a, name="North team")).status_code == 302

    response = b.post(url, _admin_post(form_b, name="Northern team"))

    page = response.content.decode()
    assert response.status_code == 200 and REFUSED in page
    form = response.context["adminform"].form
    assert row(form, "Name")["stored"] == "North team"
    assert 'value="Northern team"' in page
    assert Team.objects.get(pk=team.pk).name == "North team"


def test_stale_admin_save_of_a_staff_member_is_refused(team, admins, make_user):
    worker = make_user(Role.NAVIGATOR, phone="0161 000 0000")
    a, b = admins
    url = reverse("admin:smd_user_change", args=[worker.pk])
    form_a = a.get(url).context["adminform"].form
    form_b = b.get(url).context["adminform"].form
    assert a.post(url, _admin_post(form_a, fte="0.5")).status_code == 302

    response = b.post(url, _admin_post(form_b, phone="0161 111 1111"))

    page = response.content.decode()
    assert REFUSED in page and 'value="0161 111 1111"' in page
    assert row(response.context["adminform"].form, "FTE")["stored"] == "0.50"
    worker.refresh_from_db()
    assert str(worker.fte) == "0.50" and worker.phone == "0161 000 0000"


# --- two saves at once -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_from_the_same_version_exactly_one_wins(team, alice, bob, monkeypatch):
    """Both editors opened version 1 and press Save at the same moment: the conditional UPDATE
    lets one through and holds the row; the other, once the first commits, is refused."""
    import threading
    import time

    from django.db import connection

    from caseload.models import Goal
    from smd.versioning import EditConflict

    person = PersonFactory(team=team)
    EpisodeFactory(person=person)
    goal = outcome_services.goal_add(
        person=person, by=alice, in_their_words="A flat", review_on=timezone.localdate()
    )
    seen = goal.version_token
    save = Goal.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.5)  # the winner holds its claim while the other arrives
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Goal, "save", slow_save)
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(by, words):
        try:
            barrier.wait()
            outcome_services.goal_edit(goal=goal, by=by, in_their_words=words, seen_version=seen)
            outcomes.append(("saved", words))
        except EditConflict as conflict:
            outcomes.append(("refused", conflict.stored.in_their_words))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(alice, "A flat near the park")),
        threading.Thread(target=edit, args=(bob, "A flat near my sister")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
    (winner,) = [words for kind, words in outcomes if kind == "saved"]
    (shown,) = [words for kind, words in outcomes if kind == "refused"]
    stored = Goal.objects.get(pk=goal.pk)
    assert stored.in_their_words == winner == shown  # the loser was shown the winner's text
    assert stored.version == 2


@pytest.mark.parametrize(
    "token",
    ["", "nonsense", "{pk}:", "{pk}:²", "{pk}:99999999999999999999", "{other}:1", "{pk}:-1"],
)
def test_a_version_token_not_written_by_the_app_is_refused_not_an_error(team, clients, token):
    person = PersonFactory(team=team, phone="07700 900001")
    url = reverse("caseload:person_edit", args=[person.pk])
    a, _ = clients
    forged = token.format(pk=person.pk, other=PersonFactory(team=team).pk)
    refused(a.post(url, as_post(opened(a, url), phone="07700 900777", version=forged)))
    assert Person.objects.get(pk=person.pk).phone == "07700 900001"
