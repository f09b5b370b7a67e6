import uuid

import pytest
from django.core import mail
from django.urls import reverse

from referrals.models import Referral
from referrals.selectors import triage_queue

URL = "/refer/"


@pytest.fixture
def valid_data(partner_org):
    return {
        "first_name": "Peggy",
        "last_name": "Kelly",
        "known_as": "",
        "date_of_birth": "1979-03-05",
        "nhs_number": "",
        "contact_details": "At St Anne's day centre most mornings. Safe to text.",
        "homelessness": "on",
        "homelessness_note": "Sofa surfing since March",
        "mental_health": "on",
        "substance_misuse": "on",
        "why_now": "Lost her tenancy; wants somewhere safe to live.",
        "consent": "yes",
        "safety_information": "",
        "referrer": str(partner_org.pk),
        "referrer_organisation_name": "",
        "referrer_name": "Sam Taylor",
        "referrer_contact": "sam@example.org",
        "referrer_continuing_support": "Weekly probation appointments",
        "gender": "woman",
        "ethnicity": "",
        "submission_key": str(uuid.uuid4()),
    }


def new_key():
    """Another form's key: a separate referral, not the same one sent again."""
    return {"submission_key": str(uuid.uuid4())}


def test_form_is_public_and_short(client, team):
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    # Questions a referrer answers: the five ticks are one question ("which apply?"), each
    # tick's optional line belongs to it, and the typed organisation only appears for "other".
    # The one-time submission key is hidden: not a question.
    questions = len(form.fields) - 4 - 5 - 1 - 1
    assert questions <= 16


def test_valid_referral_is_stored_and_team_told(
    client, team, team_leader, valid_data, partner_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_data)
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:public_done")
    referral = Referral.objects.get()
    assert referral.team == team
    assert referral.status == Referral.Status.NEW
    assert referral.referrer_organisation == partner_org
    assert referral.disadvantage_count == 3
    assert referral.homelessness_note == "Sofa surfing since March"
    assert referral.channel == Referral.Channel.PUBLIC_FORM
    # The team leader is told a referral waits, but not who it is about.
    (message,) = mail.outbox
    assert message.to == ["tara@example.org"]
    assert referral.reference in message.subject
    assert "Peggy" not in message.body and "Kelly" not in message.body


def test_confirmation_shows_reference_and_nothing_about_the_person(client, team, valid_data):
    response = client.post(URL, valid_data, follow=True)
    referral = Referral.objects.get()
    page = response.content.decode()
    assert referral.reference in page
    for private in ["Peggy", "Kelly", "Sam Taylor", "sam@example.org", "tenancy", "1979"]:
        assert private not in page
    # The reference is shown once, to the submitter only.
    again = client.get(reverse("referrals:public_done")).content.decode()
    assert referral.reference not in again


def test_confirmation_page_for_a_stranger_names_nothing(client, team, valid_data):
    client.post(URL, valid_data)
    from django.test import Client

    page = Client().get(reverse("referrals:public_done")).content.decode()
    assert Referral.objects.get().reference not in page


def test_self_referral_needs_no_organisation(client, team, valid_data):
    valid_data["referrer"] = "self"
    assert client.post(URL, valid_data).status_code == 302
    referral = Referral.objects.get()
    assert referral.is_self_referral and referral.referrer_organisation is None


def test_typed_organisation_is_kept(client, team, valid_data):
    valid_data.update(referrer="other", referrer_organisation_name="Hope Street Church")
    assert client.post(URL, valid_data).status_code == 302
    assert Referral.objects.get().referrer_organisation_name == "Hope Street Church"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "This question needs an answer."),
        ({"why_now": ""}, "why_now", "This question needs an answer."),
        ({"consent": ""}, "consent", "This question needs an answer."),
        ({"referrer": ""}, "referrer", "This question needs an answer."),
        ({"referrer_contact": ""}, "referrer_contact", "This question needs an answer."),
        ({"date_of_birth": "31/02/1980"}, "date_of_birth", "Enter a valid date."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "Date of birth must be in the past."),
        ({"nhs_number": "1234567890"}, "nhs_number", "Enter a valid 10-digit NHS number"),
        (
            {"referrer": "other"},
            "referrer_organisation_name",
            "Type the name of your organisation.",
        ),
        ({"referrer": "not-an-org"}, "referrer", "Select a valid choice"),
        (
            {"why_now": "x" * 2001},
            "why_now",
            "This answer is too long: keep it to 2000 characters (it has 2001).",
        ),
        ({"homelessness_note": "y" * 301}, "homelessness_note", "too long"),
    ],
)
def test_invalid_referral_is_refused_whole_and_typing_kept(
    client, team, valid_data, changes, field, message
):
    valid_data.update(changes)
    response = client.post(URL, valid_data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert not Referral.objects.exists()
    page = response.content.decode()
    assert page.count("<title>Error:") == 1
    assert 'id="error-summary"' in page
    # What was typed elsewhere is still on the page.
    assert 'value="Sam Taylor"' in page
    assert "Weekly probation appointments" in page


def test_at_least_one_disadvantage_is_needed(client, team, valid_data):
    for key in ["homelessness", "mental_health", "substance_misuse"]:
        valid_data.pop(key)
    response = client.post(URL, valid_data)
    assert "Tick at least one" in response.content.decode()
    assert not Referral.objects.exists()


def test_nhs_number_is_stored_without_spaces(client, team, valid_data):
    valid_data["nhs_number"] = "943 476 5919"
    client.post(URL, valid_data)
    assert Referral.objects.get().nhs_number == "9434765919"


def test_html_in_fields_is_shown_as_text(client, team, team_leader_client, valid_data):
    valid_data["why_now"] = '<script>alert("x")</script><b>bold</b>'
    client.post(URL, valid_data)
    referral = Referral.objects.get()
    page = team_leader_client.get(referral.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


def test_a_burst_from_one_address_is_rate_limited_politely(client, team, valid_data, settings):
    settings.REFERRAL_RATE_LIMIT = "3/h"
    for _ in range(3):
        assert client.post(URL, {**valid_data, **new_key()}).status_code == 302
    response = client.post(URL, {**valid_data, **new_key()})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Nothing you typed has been lost" in page
    assert 'value="Sam Taylor"' in page
    assert Referral.objects.count() == 3
    # Another address is not held back.
    other = client.post(URL, {**valid_data, **new_key()}, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302


def test_form_says_so_when_no_team_takes_public_referrals(client, db):
    response = client.get(URL)
    assert response.status_code == 503
    assert "not open" in response.content.decode()


def test_staff_referral_prefills_the_referrer(navigator_client, navigator, valid_data):
    response = navigator_client.get(reverse("referrals:new"))
    form = response.context["form"]
    assert form.initial["referrer_name"] == navigator.get_full_name()
    valid_data["referrer"] = str(navigator.organisation_id)
    response = navigator_client.post(reverse("referrals:new"), valid_data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.channel == Referral.Channel.STAFF
    assert referral.referred_by_user == navigator
    assert referral.team == navigator.team


# --- one form, one referral ---------------------------------------------------------------------


def test_the_same_page_sent_three_times_makes_one_referral_one_triage_entry_and_one_email(
    client, team, team_leader, valid_data, django_capture_on_commit_callbacks
):
    """A double click, a retry after a slow answer, Back and send again: the page's one-time
    key makes them all the first referral, and the referrer sees its reference each time."""
    key = client.get(URL).context["form"].initial["submission_key"]
    valid_data["submission_key"] = str(key)
    references = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, valid_data)
        assert response["Location"] == reverse("referrals:public_done")
        references.append(client.get(reverse("referrals:public_done")).context["reference"])
    referral = Referral.objects.get()
    assert references == [referral.reference] * 3
    assert list(triage_queue(team_leader)) == [referral]
    assert len(mail.outbox) == 1


def test_the_form_carries_its_key_and_keeps_it_when_shown_again(client, team, valid_data):
    first = client.get(URL).content.decode()
    key = client.get(URL).context["form"].initial["submission_key"]
    assert f'value="{key}"' not in first  # each page shown gets its own
    valid_data.update(submission_key=str(key), why_now="")
    page = client.post(URL, valid_data).content.decode()
    assert f'name="submission_key" value="{key}"' in page


def test_a_post_without_a_key_is_refused_and_shown_again_with_a_new_one(client, team, valid_data):
    del valid_data["submission_key"]
    response = client.post(URL, valid_data)
    assert response.status_code == 200
    assert "This page was out of date, so nothing was saved" in response.content.decode()
    assert 'value="Sam Taylor"' in response.content.decode()
    assert not Referral.objects.exists()
    valid_data["submission_key"] = response.context["form"]["submission_key"].value()
    assert client.post(URL, valid_data).status_code == 302
    assert Referral.objects.count() == 1


def test_the_same_key_for_another_person_is_not_taken_for_the_first(client, team, valid_data):
    """Back to the page (its key with it) to refer someone else: not a repeat. Nothing is
    saved silently as the first one; sent again, it is a referral of its own."""
    client.post(URL, valid_data)
    someone_else = {**valid_data, "first_name": "Ray", "why_now": "Out of prison on Friday."}
    response = client.post(URL, someone_else)
    page = response.content.decode()
    assert "already sent once with other answers" in page
    assert "Out of prison on Friday." in page
    assert Referral.objects.count() == 1
    renewed = response.context["form"]["submission_key"].value()
    assert renewed != valid_data["submission_key"]
    assert client.post(URL, {**someone_else, "submission_key": renewed}).status_code == 302
    assert sorted(Referral.objects.values_list("first_name", flat=True)) == ["Peggy", "Ray"]


def test_a_staff_referral_sent_twice_is_one_referral(
    navigator_client, navigator, team_leader, valid_data, django_capture_on_commit_callbacks
):
    valid_data["referrer"] = str(navigator.organisation_id)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = navigator_client.post(reverse("referrals:new"), valid_data, follow=True)
        referral = Referral.objects.get()
        assert f"Referral {referral.reference} is in the triage queue." in (
            response.content.decode()
        )
    assert len(mail.outbox) == 1
