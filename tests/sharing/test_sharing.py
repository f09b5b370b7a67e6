"""Consent and sharing on the person page, and the register of data-sharing agreements: what
is recorded, by whom, the history kept, and bad input answered with field errors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload.models import Allocation
from sharing.models import DataSharingAgreement, LawfulBasis, SharingAgreement
from smd.models import Role
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    current_version,
    dsa_for_mdt,
    new_key,
    share_for_mdt,
)


@pytest.fixture
def person(team, navigator):
    person = PersonFactory(team=team, first_name="Lee", last_name="Barnes")
    AllocationFactory(
        episode=EpisodeFactory(person=person), worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR
    )
    return person


@pytest.fixture
def probation(db):
    return OrganisationFactory(name="Northgate Probation", sector="probation")


@pytest.fixture
def police(db):
    return OrganisationFactory(name="City Police", sector="police")


def test_person_page_shows_consent_and_sharing(navigator_client, person, navigator, probation):
    page = navigator_client.get(person.get_absolute_url()).content.decode()
    assert "Consent and sharing" in page and "Not recorded" in page
    assert "Nothing is shared with partners" in page
    share_for_mdt(person, probation, by=navigator)
    page = navigator_client.get(person.get_absolute_url()).content.decode()
    assert "Northgate Probation" in page and "Record a sharing agreement" in page


def test_a_peer_mentor_reads_the_section_but_changes_nothing(
    client_for, make_user, person, navigator, probation
):
    peer = make_user(Role.PEER_MENTOR)
    AllocationFactory(episode=person.episodes.get(), worker=peer)
    (agreement,) = share_for_mdt(person, probation, by=navigator)
    client = client_for(peer)
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Northgate Probation" in page and "Withdraw" not in page
    assert "Record a sharing agreement" not in page
    url = reverse("sharing:agreement_withdraw", args=[person.pk, agreement.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.withdrawn_at is None


def test_recording_an_agreement_for_several_organisations(
    navigator_client, person, navigator, probation, police
):
    url = reverse("sharing:agreement_new", args=[person.pk])
    assert navigator_client.get(url).status_code == 200
    review = timezone.localdate() + timedelta(days=180)
    response = navigator_client.post(
        url,
        {
            "organisations": [probation.pk, police.pk],
            "purpose": "mdt",
            "how_recorded": "written",
            "expires_on": review.isoformat(),
            **new_key(),
        },
    )
    assert response.status_code == 302
    rows = SharingAgreement.objects.filter(person=person)
    assert {a.organisation for a in rows} == {probation, police}
    assert all(a.recorded_by == navigator and a.expires_on == review for a in rows)
    assert all(a.is_in_force for a in rows)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({}, "organisations", "Choose at least one organisation"),
        ({"expires_on": "2020-01-01"}, "expires_on", "must be in the future"),
        ({"expires_on": "31/02/2027"}, "expires_on", "Enter a real date"),
        ({"how_recorded": "without_agreement"}, "lawful_basis_reason", "lawful basis applies"),
        ({"purpose": "gossip"}, "purpose", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(
    navigator_client, person, probation, data, field, message
):
    good = {
        "organisations": [probation.pk],
        "purpose": "mdt",
        "how_recorded": "verbal",
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    posted = {**good, **data}
    if field == "organisations":
        posted.pop("organisations")
    response = navigator_client.post(reverse("sharing:agreement_new", args=[person.pk]), posted)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    page = response.content.decode()
    assert "There is a problem" in page
    # What was typed is kept.
    assert response.context["form"]["how_recorded"].value() == posted["how_recorded"]
    assert not SharingAgreement.objects.exists()


def test_withdrawal_keeps_the_record_and_cannot_be_repeated(
    navigator_client, person, navigator, probation
):
    (agreement,) = share_for_mdt(person, probation, by=navigator)
    url = reverse("sharing:agreement_withdraw", args=[person.pk, agreement.pk])
    assert navigator_client.get(url).status_code == 200
    withdraw = {"reason": "Changed her mind", "version": current_version(agreement)}
    assert navigator_client.post(url, withdraw).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status() == "withdrawn" and agreement.withdrawal_reason == "Changed her mind"
    page = navigator_client.get(person.get_absolute_url()).content.decode()
    assert "Withdrawn or expired (1)" in page and "Changed her mind" in page
    again = navigator_client.post(url, {"reason": "twice", "version": current_version(agreement)})
    assert again.status_code == 400
    assert "Already withdrawn" in again.content.decode()
    agreement.refresh_from_db()
    assert agreement.withdrawal_reason == "Changed her mind"


def test_someone_elses_agreement_is_not_found(navigator_client, person, navigator, probation):
    other = PersonFactory(team=person.team)
    (theirs,) = share_for_mdt(other, probation, by=navigator)
    url = reverse("sharing:agreement_withdraw", args=[person.pk, theirs.pk])
    assert navigator_client.post(url, {}).status_code == 404


def test_lawful_basis_history_is_kept(navigator_client, team_leader_client, person):
    url = reverse("sharing:lawful_basis", args=[person.pk])
    bad = navigator_client.post(url, {"article_6": "whim"})
    assert bad.status_code == 400 and not LawfulBasis.objects.exists()
    for client, basis in [(navigator_client, "consent"), (team_leader_client, "public_task")]:
        current = LawfulBasis.objects.filter(person=person).first()
        response = client.post(
            url,
            {
                "article_6": basis,
                "article_9": "substantial_public_interest",
                "version": current_version(current) if current else "",
                **new_key(),
            },
        )
        assert response.status_code == 302
    assert list(
        LawfulBasis.objects.filter(person=person)
        .order_by("recorded_at")
        .values_list("article_6", flat=True)
    ) == ["consent", "public_task"]
    page = navigator_client.get(person.get_absolute_url()).content.decode()
    assert "A public task" in page
    # The form starts from what is recorded now.
    assert navigator_client.get(url).context["form"].initial["article_6"] == "public_task"


def test_the_person_pages_basis_is_the_basis_a_query_of_its_own_reads(person, navigator):
    """The lawful basis comes with the person page's own query; read back, it is the record a
    query of its own gives: the latest, with when, by whom and the notes."""
    from caseload.models import Person
    from caseload.selectors import person_detail
    from sharing.selectors import person_sharing
    from sharing.services import lawful_basis_record

    def basis(person):
        b = person_sharing(person)["basis"]
        shown = (b.get_article_6_display(), b.get_article_9_display(), b.notes)
        return (b.pk, b.recorded_at, str(b.recorded_by), *shown)

    assert person_sharing(person_detail(navigator, person.pk))["basis"] is None
    first = lawful_basis_record(
        person=person, article_6="consent", article_9="explicit_consent", by=navigator
    )
    latest = lawful_basis_record(
        person=person,
        article_6="public_task",
        article_9="substantial_public_interest",
        notes="Agreed at the MDT",
        by=navigator,
        replacing=first,
    )
    on_page = basis(person_detail(navigator, person.pk))
    assert on_page == basis(Person.objects.get(pk=person.pk))
    assert on_page[:3] == (latest.pk, latest.recorded_at, str(navigator))


# --- the register of data-sharing agreements ----------------------------------------------------


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, first_name="Maureen")


def test_managers_keep_the_register(client_for, manager, team, probation):
    client = client_for(manager)
    today = timezone.localdate()
    blank = client.get(reverse("sharing:dsa_new"))
    # A new entry posts to "new" (its id is made before it is saved), with our side ticked.
    assert f'action="{reverse("sharing:dsa_new")}"' in blank.content.decode()
    assert blank.context["form"].initial["parties"] == [team.organisation.pk]
    response = client.post(
        reverse("sharing:dsa_new"),
        {
            "title": "MDT information sharing",
            "parties": [team.organisation.pk, probation.pk],
            "purpose": "mdt",
            "start_on": (today - timedelta(days=10)).isoformat(),
            "review_on": (today + timedelta(days=355)).isoformat(),
            "document_location": "Governance drive: DSAs/mdt.pdf",
            **new_key(),
        },
    )
    assert response.status_code == 302
    dsa = DataSharingAgreement.objects.get()
    assert set(dsa.parties.all()) == {team.organisation, probation}
    assert dsa.recorded_by == manager and dsa.status() == "in_force"
    page = client.get(reverse("sharing:register")).content.decode()
    assert "MDT information sharing" in page and "In force" in page
    # Ending it is an edit: the entry stays, marked ended.
    response = client.post(
        reverse("sharing:dsa_edit", args=[dsa.pk]),
        {
            "title": dsa.title,
            "parties": [team.organisation.pk, probation.pk],
            "purpose": "mdt",
            "start_on": dsa.start_on.isoformat(),
            "review_on": dsa.review_on.isoformat(),
            "ended_on": today.isoformat(),
            "document_location": dsa.document_location,
            "version": current_version(dsa),
        },
    )
    assert response.status_code == 302
    dsa.refresh_from_db()
    assert dsa.status() == "ended"
    assert not DataSharingAgreement.objects.in_force().exists()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"parties": "probation_only"}, "parties", "must be one of the parties"),
        ({"parties": "own_only"}, "parties", "at least one other"),
        ({"review_on": "2020-01-01"}, "review_on", "on or after the start date"),
        ({"document_location": ""}, "document_location", "needs an answer"),
    ],
)
def test_register_entries_are_checked(client_for, manager, team, probation, change, field, message):
    today = timezone.localdate()
    data = {
        "title": "MDT",
        "parties": [team.organisation.pk, probation.pk],
        "purpose": "mdt",
        "start_on": today.isoformat(),
        "review_on": (today + timedelta(days=365)).isoformat(),
        "document_location": "Drive",
    }
    data.update(change)
    if change.get("parties") == "probation_only":
        data["parties"] = [probation.pk]
    elif change.get("parties") == "own_only":
        data["parties"] = [team.organisation.pk]
    response = client_for(manager).post(reverse("sharing:dsa_new"), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert "There is a problem" in response.content.decode()
    assert not DataSharingAgreement.objects.exists()


def test_team_leaders_read_the_register_but_do_not_keep_it(
    team_leader_client, manager, team, probation
):
    dsa = dsa_for_mdt(team.organisation, probation, by=manager)
    page = team_leader_client.get(reverse("sharing:register")).content.decode()
    assert dsa.title in page and "Add an agreement" not in page
    assert team_leader_client.get(reverse("sharing:dsa_edit", args=[dsa.pk])).status_code == 403


def test_register_shows_status_and_only_our_organisations_agreements(
    client_for, manager, team, probation, police
):
    today = timezone.localdate()
    dsa_for_mdt(team.organisation, probation, by=manager, review_on=today - timedelta(days=1))
    dsa_for_mdt(
        team.organisation,
        police,
        by=manager,
        start_on=today - timedelta(days=400),
        review_on=today - timedelta(days=100),
        ended_on=today - timedelta(days=30),
    )
    theirs = dsa_for_mdt(probation, police, by=manager)
    DataSharingAgreement.objects.filter(pk=theirs.pk).update(title="Not ours")
    client = client_for(manager)
    page = client.get(reverse("sharing:register")).content.decode()
    assert "In force: review overdue" in page and "Ended" in page and "Not ours" not in page
    assert client.get(reverse("sharing:dsa_edit", args=[theirs.pk])).status_code == 404


@pytest.mark.parametrize("n", [1, 15])
def test_register_query_count_is_constant(client_for, manager, team, n, count_queries):
    for i in range(n):
        dsa_for_mdt(team.organisation, OrganisationFactory(name=f"Partner {i}"), by=manager)
    client = client_for(manager)
    # 1 session, 2 user, 3 the device that gave the second factor, 4 the team's organisation
    # (named in the heading), 5 the agreements, 6 their parties.
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(client, reverse("sharing:register")) == 7
