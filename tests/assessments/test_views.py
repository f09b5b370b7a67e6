import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, AssessmentCorrection
from smd.models import Role
from tests.factories import (
    AllocationFactory,
    EpisodeFactory,
    PersonFactory,
    current_version,
    new_key,
)


def new_url(person, scheme=""):
    url = reverse("assessments:new", args=[person.pk])
    return f"{url}?scheme={scheme}" if scheme else url


def form_data(scheme, navigator, on="2025-02-01", action="complete", skip=(), **scores):
    data = {
        "scheme": scheme.code,
        "assessed_on": on,
        "assessor": str(navigator.pk),
        "participation": "yes",
        "action": action,
        **new_key(),
    }
    for item in scheme.items.all():
        if item.key not in skip:
            data[f"score_{item.key}"] = str(scores.get(item.key, 1))
        data[f"note_{item.key}"] = ""
    return data


def test_new_assessment_uses_the_current_amended_scheme(navigator_client, episode, amended):
    response = navigator_client.get(new_url(episode.person))
    assert response.status_code == 200
    page = response.content.decode()
    assert "New NDT (amended)" in page
    assert "South West London and St George" in page
    assert "Use the NDT (standard) instead" in page
    # Every level of every item is a radio button with its description.
    assert page.count('type="radio"') == 14 * 5 + 3
    assert "4 — Sleeping rough or with nowhere safe to stay." in page


def test_standard_scheme_can_be_chosen(navigator_client, episode, standard, navigator):
    url = new_url(episode.person, "ndt-standard")
    assert "New NDT (standard)" in navigator_client.get(url).content.decode()
    response = navigator_client.post(url, form_data(standard, navigator))
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert assessment.scheme == standard and assessment.total == assessment.standard_total == 12


def test_completing_stores_both_totals(navigator_client, episode, amended, navigator):
    response = navigator_client.post(new_url(episode.person), form_data(amended, navigator))
    assessment = Assessment.objects.get()
    assert response["Location"] == assessment.get_absolute_url()
    # 14 items scored 1; three are doubled: amended 17, standard 12
    assert (assessment.status, assessment.total, assessment.standard_total) == ("completed", 17, 12)
    page = navigator_client.get(assessment.get_absolute_url()).content.decode()
    assert "<strong>17</strong> of 68" in page and "<strong>12</strong> of 48" in page
    assert "South West London and St George" in page


def test_incomplete_completion_names_missing_items_and_keeps_typing(
    navigator_client, episode, amended, navigator
):
    data = form_data(amended, navigator, skip=("housing", "isolation"), engagement=3)
    data["note_engagement"] = "Came to two of four appointments"
    response = navigator_client.post(new_url(episode.person), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert page.startswith("<!doctype html>") and "<title>Error:" in page
    assert "Choose a score for Housing." in page and "Choose a score for Isolation." in page
    assert "Choose a score for Engagement" not in page
    assert re.search(
        r'value="3"[^>]*id="id_score_engagement_3"[^>]*checked|'
        r'id="id_score_engagement_3"[^>]*checked',
        page.replace("\n", " "),
    )
    assert "Came to two of four appointments" in page
    assert not Assessment.objects.exists()


def test_draft_is_saved_with_gaps_and_completed_later(
    navigator_client, episode, amended, navigator
):
    data = form_data(amended, navigator, action="draft", skip=("housing",))
    navigator_client.post(new_url(episode.person), data)
    draft = Assessment.objects.get()
    assert draft.status == "draft" and draft.scores.get(item__key="housing").score is None
    edit = reverse("assessments:edit", args=[episode.person.pk, draft.pk])
    data = {**form_data(amended, navigator, housing=4), "version": current_version(draft)}
    navigator_client.post(edit, data)
    draft.refresh_from_db()
    assert draft.status == "completed" and draft.standard_total == 15
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    ("on", "message"),
    [
        # Tomorrow as the test runs, not as the tests were collected.
        (lambda: (timezone.localdate() + timedelta(days=1)).isoformat(), "cannot be in the future"),
        ("2025-01-05", "cannot be before this episode of support began (6 January 2025)"),
        ("not a date", "Enter a valid date."),
    ],
)
def test_date_rules(navigator_client, episode, amended, navigator, on, message):
    on = on() if callable(on) else on
    response = navigator_client.post(new_url(episode.person), form_data(amended, navigator, on=on))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Assessment.objects.exists()


def test_date_defaults_to_today(navigator_client, episode):
    form = navigator_client.get(new_url(episode.person)).context["form"]
    assert form["assessed_on"].value() == timezone.localdate()


def test_correction_keeps_the_original(navigator_client, episode, amended, navigator, assess):
    assessment = assess(episode, amended, rest=1)
    edit = reverse("assessments:edit", args=[episode.person.pk, assessment.pk])
    data = {**form_data(amended, navigator, housing=3), "version": current_version(assessment)}
    missing_reason = navigator_client.post(edit, data)
    assert "Why are you correcting" in missing_reason.content.decode()
    data["reason"] = "Housing score entered wrongly"
    navigator_client.post(edit, data)
    assessment.refresh_from_db()
    assert (assessment.total, assessment.standard_total) == (19, 14)
    correction = AssessmentCorrection.objects.get()
    assert correction.previous["total"] == 17 and correction.previous["standard_total"] == 12
    assert correction.previous["scores"]["housing"]["score"] == 1
    assert (
        correction.reason == "Housing score entered wrongly"
        and correction.corrected_by == navigator
    )
    page = navigator_client.get(assessment.get_absolute_url()).content.decode()
    assert "Housing score entered wrongly" in page


def test_only_the_assessor_or_a_team_leader_corrects(
    client_for, make_user, episode, amended, assess, team_leader
):
    assessment = assess(episode, amended)
    edit = reverse("assessments:edit", args=[episode.person.pk, assessment.pk])
    colleague = make_user(Role.NAVIGATOR)
    assert client_for(colleague).get(edit).status_code == 403
    assert client_for(team_leader).get(edit).status_code == 200


def test_another_teams_person_is_a_404(client_for, other_team, amended, make_user):
    stranger = PersonFactory(team=other_team)
    EpisodeFactory(person=stranger)
    client = client_for(make_user(Role.NAVIGATOR))
    assert client.get(new_url(stranger)).status_code == 404
    assert client.get(reverse("assessments:history", args=[stranger.pk])).status_code == 404


def test_peer_mentor_sees_scores_of_their_own_people_only(
    client_for, make_user, team, episode, amended, assess
):
    mine = assess(episode, amended)
    peer = make_user(Role.PEER_MENTOR)
    AllocationFactory(episode=episode, worker=peer)
    other_episode = EpisodeFactory(person=PersonFactory(team=team), start_date=date(2025, 1, 6))
    theirs = assess(other_episode, amended)
    client = client_for(peer)
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("assessments:history", args=[other_episode.person.pk])).status_code
        == 404
    )
    assert client.get(new_url(episode.person)).status_code == 403


def test_a_person_without_an_open_episode_cannot_be_assessed(navigator_client, person):
    response = navigator_client.get(new_url(person), follow=True)
    assert "needs an open episode of support" in response.content.decode()


def test_history_shows_change_from_baseline(navigator_client, episode, amended, standard, assess):
    assess(episode, amended, on=date(2025, 2, 1), rest=3)
    assess(episode, standard, on=date(2025, 5, 1), rest=3)
    assess(episode, amended, on=date(2025, 8, 1), rest=1, housing=4)
    page = navigator_client.get(reverse("assessments:history", args=[episode.person.pk]))
    history = page.context["history"]
    assert history.change.standard.baseline_on == date(2025, 2, 1)
    assert history.change.standard.change == 15 - 36 and history.change.amended.change == 20 - 51
    items = {title: diff for title, _, _, diff in history.change.main.items}
    assert items["Housing"] == 1 and items["Risk to others"] == -4
    text = page.content.decode()
    assert "<svg" in text and "Totals over time" in text and "kozea" not in text
    assert "South West London and St George" in text


def test_history_query_count_is_constant(navigator_client, episode, amended, assess, count_queries):
    url = reverse("assessments:history", args=[episode.person.pk])
    assess(episode, amended, on=date(2025, 2, 1))
    assess(episode, amended, on=date(2025, 3, 1))

    def count():
        return count_queries.page(navigator_client, url)

    few = count()
    for month in range(4, 12):
        assess(episode, amended, on=date(2025, month, 1))
    # session, user, the device that gave the second factor, person with episodes, assessments
    # with schemes and assessors; for the change: the episode's completed assessments, the
    # scheme versions' maxima, the baseline's and latest's answers, the items they are weighed
    # by; the amended versions' maxima again, for the chart's axis; the audit entry
    # and one more: the top bar's count of unread notifications
    assert count() == few == 13


def test_charts_carry_no_script(navigator_client, episode, amended, assess):
    """pygal adds an inline script even with js=[]; the page's policy forbids inline script."""
    assess(episode, amended, on=date(2025, 2, 1))
    assess(episode, amended, on=date(2025, 5, 1))
    page = navigator_client.get(reverse("assessments:history", args=[episode.person.pk]))
    svg = page.content.decode().split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<script" not in svg
