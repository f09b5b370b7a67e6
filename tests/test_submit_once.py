"""Every create form, sent twice: one record, and the same answer both times.

A double click, a retry after a slow answer, Back and send again: each create form carries a
one-time submission key (smd.submission), so the second post writes nothing and the user lands
where the first one took them. Each form is posted with the valid payload the hostile-input
suite uses (tests/test_hostile_input.py FORMS), so a new create form is one more name here.
"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caseload.outcomes import services as outcome_services
from referrals.models import Referral
from smd import submission
from tests.factories import new_key
from tests.hostile import changed_tables, database_rows, fingerprint
from tests.test_access import url_for
from tests.test_hostile_input import FORMS, _client, _referral, worlds  # noqa: F401

# The URLs whose form makes a record (the rest change one, or make none).
CREATE_FORMS = [
    "referrals:public",
    "referrals:new",
    "referrals:new_person",
    "referrals:decide",
    "caseload:allocate",
    "caseload:plan_targets",
    "caseload:episode_change",
    "caseload:contact_new",
    "caseload:event_new",
    "caseload:goal_new",
    "caseload:goal_review",
    "caseload:accommodation",
    "caseload:budget",
    "caseload:stars",
    "assessments:new",
    "assessments:edit",
    "reqol:new",
    "mdt:meeting_new",
    "mdt:referral_new",
    "mdt:agenda_add",
    "mdt:action_add",
    "sharing:lawful_basis",
    "sharing:agreement_new",
    "sharing:dsa_new",
    "returns:extract_generate",
    "appointments:new",
    "appointments:attended",
    # Not "api:token_new": sent again it makes no second token, but cannot answer the same,
    # since a token's key is shown once and never kept (tests/api/test_token_pages.py).
]


def _spend(world):
    """The budget page's other form: a spend from a budget already offered."""
    navigator = world["users"]["navigator"]
    outcome_services.budget_offer(
        person=world["person"],
        by=navigator,
        amount_offered=Decimal("300"),
        offered_on=timezone.localdate() - timedelta(days=1),
    )
    return {
        "form": "spend",
        "spend-spent_on": timezone.localdate().isoformat(),
        "spend-amount": "25.50",
        "spend-purpose": "A bus pass",
        "spend-approved_by": str(navigator.pk),
        **new_key("spend"),
    }


def _close(world):
    return {
        "form": "close",
        "close-end_date": timezone.localdate().isoformat(),
        "close-exit_destination": "other_support",
        "close-ending_planned": "yes",
        **new_key("close"),
    }


# Second forms on a page FORMS posts one form of: (URL name, role, payload).
OTHER_FORMS = {
    "budget spend": ("caseload:budget", "navigator", _spend),
    "closing support": ("caseload:episode_change", "navigator", _close),
}


def _sent_twice(world, name, role, data):
    client = _client(world, role)
    url = url_for(name, world)
    first = client.post(url, data, follow=True)
    assert first.redirect_chain, f"POST {url} was refused: {first.status_code}"
    after_first = fingerprint(database_rows())
    second = client.post(url, data, follow=True)
    assert second.redirect_chain == first.redirect_chain
    messages = [[str(m) for m in r.context["messages"]] for r in (first, second)]
    assert messages[0] == messages[1]
    assert "already" not in " ".join(messages[1])
    assert changed_tables(after_first, fingerprint(database_rows())) == []


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_a_create_form_sent_twice_records_once_and_answers_the_same(worlds, name):  # noqa: F811
    home, _ = worlds
    spec = FORMS[name]
    _sent_twice(home, name, spec.role, spec.payload(home))


@pytest.mark.parametrize("form", sorted(OTHER_FORMS))
def test_a_second_form_on_the_page_sent_twice_records_once(worlds, form):  # noqa: F811
    home, _ = worlds
    name, role, payload = OTHER_FORMS[form]
    _sent_twice(home, name, role, payload(home))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_public_referrals_with_one_key_at_the_same_moment_make_one(team, team_leader):
    """Two requests racing with the same key (a double click on a slow connection): the unique
    key lets one insert through; the other waits for it, finds it, and answers the same."""
    data = _referral(None)
    barrier = threading.Barrier(2)
    answers = []

    def post():
        try:
            client = Client()
            barrier.wait()
            answers.append(client.post(reverse("referrals:public"), data))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {reverse("referrals:public_done")}
    assert Referral.objects.filter(submission_key=data["submission_key"]).count() == 1
    assert Referral.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_form_racing_its_twin_is_answered_even_if_the_twin_commits_between_look_and_insert(
    team, monkeypatch
):
    """The interleaving the race above can take: this request looks the key up before its twin
    has committed (nothing found), the twin commits, then this one validates and inserts. Model
    validation leaves the key to the database, so the unique key refuses the insert and the
    twin's referral is the answer, rather than a form error saying it already exists."""
    data = _referral(None)
    assert Client().post(reverse("referrals:public"), data).status_code == 302  # the twin
    looked = []
    real = submission.submission_made

    def not_yet_committed(model, key, **scope):
        looked.append(key)
        return None if len(looked) == 1 else real(model, key, **scope)

    monkeypatch.setattr(submission, "submission_made", not_yet_committed)
    response = Client().post(reverse("referrals:public"), data)
    assert response.status_code == 302 and response["Location"] == reverse("referrals:public_done")
    assert len(looked) == 2  # before the insert, and after the key refused it
    assert Referral.objects.filter(submission_key=data["submission_key"]).count() == 1
