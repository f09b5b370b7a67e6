"""Two corrections of one NDT from the same page: the second is refused with both versions
shown and its scores and reason kept (ADR 0023)."""

from django.urls import reverse

from assessments.models import AssessmentCorrection
from tests.assessments.test_views import form_data
from tests.hostile import as_post

REFUSED = "Someone else saved this record since you opened it"


def test_stale_correction_is_refused_and_keeps_the_typed_scores(
    client_for, make_user, navigator, episode, amended, assess
):
    from smd.models import Role

    assessment = assess(episode, amended, rest=1)
    edit = reverse("assessments:edit", args=[episode.person.pk, assessment.pk])
    a, b = client_for(navigator), client_for(make_user(Role.TEAM_LEADER))
    version = as_post(a.get(edit).context["form"])["version"]
    assert as_post(b.get(edit).context["form"])["version"] == version
    first = {**form_data(amended, navigator, housing=3), "version": version, "reason": "Housing"}
    assert a.post(edit, first).status_code == 302

    second = {**form_data(amended, navigator, housing=4), "version": version, "reason": "Typo"}
    response = b.post(edit, second)

    page = response.content.decode()
    assert response.status_code == 400 and REFUSED in page
    form = response.context["form"]
    housing = next(r for r in form.conflict_rows if "ousing" in str(r["label"]))
    assert housing["stored"] != housing["yours"]
    assert "Typo" in page
    assessment.refresh_from_db()
    assert assessment.scores.get(item__key="housing").score == 3
    assert AssessmentCorrection.objects.count() == 1
