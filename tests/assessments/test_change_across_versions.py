"""NDT change compares like with like across scheme versions (ADR 0020): identical answers under
two versions are no change, on every page that shows a change and in the quarterly return."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.models import AssessmentScheme
from assessments.selectors import ndt_change, ndt_changes, ndt_changes_in_open_episodes
from assessments.services import scheme_export
from returns.figures import build_return
from returns.render import to_csv
from returns.tasks import figures_as_data
from smd.quarters import Quarter
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory

Q3 = Quarter(2025, 3)  # 1 October to 31 December 2025
# The same answers at baseline and review: most areas 1, isolation 2, housing 3.
ANSWERS = {"rest": 1, "isolation": 2, "housing": 3}


def publish(tmp_path, data):
    """A new scheme version, published the way the partnership does: `import_scheme`."""
    path = tmp_path / f"{data['code']}-v{data['version']}.json"
    path.write_text(json.dumps(data))
    call_command("import_scheme", str(path), "--make-current", stdout=io.StringIO())
    return AssessmentScheme.objects.get(code=data["code"], version=data["version"])


@pytest.fixture
def amended_v2(amended, tmp_path):
    """Version 2 doubles isolation: the same items, one weight changed (0-72)."""
    data = scheme_export(scheme=amended)
    data["version"] = 2
    next(i for i in data["items"] if i["key"] == "isolation")["weight"] = 2
    return publish(tmp_path, data)


@pytest.fixture
def amended_v3(amended, tmp_path):
    """Version 3 adds an item that no version 1 assessment ever scored."""
    data = scheme_export(scheme=amended)
    data["version"] = 3
    data["items"].append(
        {
            "key": "digital_exclusion",
            "title": "Digital exclusion",
            "guidance": "",
            "weight": 1,
            "levels": ["None", "Some", "Often", "Mostly", "Entirely"],
        }
    )
    return publish(tmp_path, data)


@pytest.fixture
def two_versions(episode, amended, amended_v2, assess):
    """Margaret, assessed under amended v1 and then v2 with identical answers."""
    first = assess(episode, amended, on=date(2025, 2, 1), **ANSWERS)
    second = assess(episode, amended_v2, on=date(2025, 5, 1), **ANSWERS)
    # What the stored totals say: the difference is the new weight, not the person.
    assert (first.total, second.total) == (20, 22)
    assert first.standard_total == second.standard_total == 14
    return episode


def test_identical_answers_under_two_versions_are_no_change(two_versions, amended_v2):
    change = ndt_changes([two_versions])[two_versions.pk]
    amended = change.amended
    assert amended.change == 0 and amended.rescored
    assert (amended.baseline_total, amended.baseline_stored, amended.latest_total) == (22, 20, 22)
    assert amended.scale.id == amended_v2.pk and amended.scale.max_total == 72
    assert change.standard.change == 0 and not change.standard.rescored


def test_one_episodes_change_is_the_same_from_the_query_compiled_once(
    two_versions, amended, assess
):
    """The person page and the MDT case read one episode's change with the window query
    compiled once per process (`ndt_change`): the same as `ndt_changes` gives, for each episode
    it is run for, and None where there is no change to work out."""
    other = EpisodeFactory(
        person=PersonFactory(team=two_versions.person.team), start_date=date(2025, 1, 6)
    )
    assess(other, amended, on=date(2025, 3, 1), **ANSWERS)
    change = ndt_change(two_versions.pk)
    assert change == ndt_changes([two_versions])[two_versions.pk]
    assert change.amended.rescored and change.episode_id == two_versions.pk
    assert ndt_change(other.pk) is None and ndt_changes([other]) == {}


def test_caseloads_changes_are_the_same_from_their_query_with_the_scales(
    two_versions, amended, amended_v2, assess
):
    """My caseload's rows read their open episodes' changes with the scheme versions' scales
    in the same query (`ndt_changes_in_open_episodes`, ADR 0048): the same as `ndt_changes`
    gives, the scales included, for a standard and an amended change re-scored across
    versions."""
    standard_only = EpisodeFactory(
        person=PersonFactory(team=two_versions.person.team), start_date=date(2025, 1, 6)
    )
    assess(standard_only, amended, on=date(2025, 3, 1), **ANSWERS)
    assess(standard_only, amended_v2, on=date(2025, 6, 1), **{**ANSWERS, "isolation": 0})
    people = [two_versions.person_id, standard_only.person_id]
    changes = ndt_changes_in_open_episodes(people)
    assert changes == ndt_changes([two_versions, standard_only])
    assert changes[two_versions.pk].amended.rescored
    assert changes[standard_only.pk].amended.scale.id == amended_v2.pk


def test_real_change_is_measured_on_the_later_version(episode, amended, amended_v2, assess):
    assess(episode, amended, on=date(2025, 2, 1), **ANSWERS)
    assess(episode, amended_v2, on=date(2025, 5, 1), **{**ANSWERS, "isolation": 0})
    change = ndt_changes([episode])[episode.pk]
    # Isolation 2 -> 0, doubled under version 2: -4 (version 1's single weight would say -2).
    assert change.amended.change == -4
    assert change.standard.change == 0  # isolation is not a standard item


def test_a_baseline_missing_a_later_item_is_not_compared(episode, amended, amended_v3, assess):
    assess(episode, amended, on=date(2025, 2, 1), **ANSWERS)
    assess(episode, amended_v3, on=date(2025, 5, 1), **ANSWERS)
    change = ndt_changes([episode])[episode.pk]
    assert not change.amended.comparable and change.amended.change is None
    assert change.amended.missing == ("Digital exclusion",)
    assert change.standard.change == 0  # the standard scale is unaffected


def test_history_page_shows_no_change_and_items_on_the_later_weights(
    navigator_client, two_versions
):
    page = navigator_client.get(reverse("assessments:history", args=[two_versions.person.pk]))
    history = page.context["history"]
    assert history.change.amended.change == 0
    assert all(diff == 0 for _, _, _, diff in history.change.main.items)
    isolation = next(row for row in history.change.main.items if row[0] == "Isolation")
    assert isolation[1:] == (4, 4, 0)  # 2 x the later weight, both times
    text = page.content.decode()
    assert "0–72" in text and "20 as scored under v1" in text
    assert "Amended total (0–72)" in text  # the chart's axis and legend
    assert "(worse)" not in text


def test_history_page_says_when_versions_cannot_be_compared(
    navigator_client, episode, amended, amended_v3, assess
):
    assess(episode, amended, on=date(2025, 2, 1), **ANSWERS)
    assess(episode, amended_v3, on=date(2025, 5, 1), **ANSWERS)
    text = navigator_client.get(reverse("assessments:history", args=[episode.person.pk]))
    text = text.content.decode()
    assert "Not comparable" in text and "no score for Digital exclusion" in text


def test_person_page_shows_the_same_change(navigator_client, two_versions):
    text = navigator_client.get(two_versions.person.get_absolute_url()).content.decode()
    assert "Change since baseline (1 Feb 2025): standard 0" in text
    assert 'amended 0 <span class="small">(no change)</span>' in text


def test_my_caseload_shows_the_same_change(navigator_client, navigator, two_versions):
    AllocationFactory(episode=two_versions, worker=navigator, kind="lead_navigator")
    text = navigator_client.get(reverse("caseload:my_caseload")).content.decode()
    assert "NDT since baseline (1 Feb 2025): standard 0" in text
    assert 'amended 0 <span class="small">(no change)</span>' in text
    assert "(worse)" not in text


def test_my_caseload_costs_the_same_however_many_changes_it_shows(
    navigator_client, navigator, team, amended, amended_v2, assess, count_queries
):
    def add_person():
        episode = EpisodeFactory(person=PersonFactory(team=team), start_date=date(2025, 1, 6))
        AllocationFactory(episode=episode, worker=navigator, kind="lead_navigator")
        assess(episode, amended, on=date(2025, 2, 1), **ANSWERS)
        assess(episode, amended_v2, on=date(2025, 5, 1), **ANSWERS)

    def count():
        return count_queries.page(navigator_client, reverse("caseload:my_caseload"))

    add_person()
    few = count()
    for _ in range(4):
        add_person()
    assert count() == few


def test_mdt_case_summary_takes_the_same_change(two_versions, make_user, team):
    from django.utils import timezone

    from mdt.models import AgendaItem, MdtMeeting
    from mdt.selectors import case_summary
    from smd.models import Role

    chair = make_user(Role.MDT_CHAIR)
    meeting = MdtMeeting.objects.create(team=team, starts_at=timezone.now(), place="x", chair=chair)
    item = AgendaItem.objects.create(
        meeting=meeting, person=two_versions.person, kind="new", sharing_basis="agreed", position=1
    )
    summary = case_summary(item)
    assert summary.ndt_change == 0 and summary.change.amended.change == 0


def test_mdt_case_summary_shows_the_open_episodes_latest_ndt_or_else_the_last_of_any(
    person, episode, amended, assess, make_user, team
):
    from django.utils import timezone

    from caseload.models import Episode
    from mdt.models import AgendaItem, MdtMeeting
    from mdt.selectors import case_summary
    from smd.models import Role

    meeting = MdtMeeting.objects.create(
        team=team, starts_at=timezone.now(), place="x", chair=make_user(Role.MDT_CHAIR)
    )
    item = AgendaItem.objects.create(
        meeting=meeting, person=person, kind="new", sharing_basis="agreed", position=1
    )
    closed = {"status": "closed", "exit_destination": "other_support", "ending_planned": True}
    earlier = EpisodeFactory(
        person=person, start_date=date(2023, 1, 2), end_date=date(2024, 1, 2), **closed
    )
    assess(earlier, amended, on=date(2023, 3, 1), rest=1)
    # An open episode with no NDT of its own yet: none, not the closed episode's.
    summary = case_summary(item)
    assert summary.episode == episode and summary.latest_ndt is None
    assess(episode, amended, on=date(2025, 2, 1), rest=1)
    latest = assess(episode, amended, on=date(2025, 5, 1), rest=2, complete=True)
    assess(episode, amended, on=date(2025, 6, 1), rest=3, complete=False)  # a draft
    summary = case_summary(item)
    assert summary.latest_ndt.id == latest.pk and summary.latest_ndt.episode_id == episode.pk
    assert (summary.latest_ndt.standard_total, summary.latest_ndt.assessed_on) == (
        latest.standard_total,
        date(2025, 5, 1),
    )
    assert summary.ndt_change == latest.standard_total - summary.change.standard.baseline_total
    # No open episode: the latest completed NDT of any.
    Episode.objects.filter(pk=episode.pk).update(end_date=date(2025, 7, 1), **closed)
    summary = case_summary(item)
    assert summary.episode is None and summary.latest_ndt.id == latest.pk


# --- the quarterly return ------------------------------------------------------------------------


def supported(team, *, began=date(2025, 7, 1), ended=None):
    person = PersonFactory(team=team)
    return EpisodeFactory(
        person=person,
        start_date=began,
        accepted_on=began,
        status="closed" if ended else "active",
        end_date=ended,
        exit_destination="other_support" if ended else "",
        ending_planned=True if ended else None,
    )


def figures(team):
    return {f.key: f for f in build_return(team, Q3).figures}


def test_return_counts_no_change_across_versions_and_names_the_version(
    team, amended, amended_v2, assess
):
    episode = supported(team)
    assess(episode, amended, on=date(2025, 10, 2), **ANSWERS)
    assess(episode, amended_v2, on=date(2025, 12, 1), **ANSWERS)
    f = figures(team)
    assert f["ndt_amended_people"].values["all"] == 1
    assert f["ndt_amended_mean_change"].values["all"] == 0
    assert f["ndt_amended_mean_baseline"].values["all"] == 22  # v1 answers under v2's weights
    assert f["ndt_standard_mean_change"].values["all"] == 0
    assert f["ndt_amended_not_comparable"].values["all"] == 0
    definition = f["ndt_amended_mean_change"].definition
    assert "NDT (amended) version 2 (0–72)" in definition and "0–68" not in definition
    assert "NDT (standard) version 1 (0–48)" in f["ndt_standard_mean_change"].definition
    rows = list(
        csv.reader(
            io.StringIO(to_csv(figures_as_data(build_return(team, Q3)), quarter=Q3, team=team))
        )
    )
    exact = next(r for r in rows if len(r) > 1 and r[1] == "ndt_amended_mean_change")
    assert float(exact[3]) == 0 and "version 2 (0–72)" in exact[-1]


def test_return_leaves_out_and_counts_pairs_it_cannot_compare(team, amended, amended_v3, assess):
    episode = supported(team)
    assess(episode, amended, on=date(2025, 10, 2), **ANSWERS)
    assess(episode, amended_v3, on=date(2025, 12, 1), **ANSWERS)
    f = figures(team)
    assert f["ndt_amended_people"].values["all"] == 0
    assert f["ndt_amended_mean_change"].values["all"] is None
    assert f["ndt_amended_not_comparable"].values["all"] == 1
    assert f["ndt_amended_not_comparable"].section == "Data quality"
    assert f["ndt_standard_people"].values["all"] == 1  # the standard scale still compares
    assert f["ndt_standard_mean_change"].values["all"] == 0


def test_return_ndt_counts_only_people_supported_in_the_quarter(team, standard, assess):
    def with_change(episode, before, after):
        assess(episode, standard, on=episode.start_date, rest=before)
        assess(episode, standard, on=date(2025, 9, 1), rest=after)

    # Support ended in the quarter before: 48 -> 0, and nothing of it is in this quarter.
    with_change(supported(team, began=date(2025, 4, 1), ended=date(2025, 9, 30)), 4, 0)
    # Support ended on the first day of the quarter: supported in it. 12 -> 24.
    with_change(supported(team, began=date(2025, 4, 1), ended=date(2025, 10, 1)), 1, 2)
    # Still supported. 24 -> 36.
    with_change(supported(team, began=date(2025, 4, 1)), 2, 3)
    f = figures(team)
    assert f["ndt_standard_people"].values["all"] == 2
    assert f["ndt_standard_mean_change"].values["all"] == 12
    assert "supported in the quarter" in f["ndt_standard_mean_change"].definition


def _ndt_card(person, user):
    """What the person page's NDT card shows, as plain values."""
    from types import SimpleNamespace

    from assessments.templatetags.ndt import ndt_summary

    card = ndt_summary({"request": SimpleNamespace(user=user)}, person)
    latest, change = card["latest"], card["change"]
    return (
        latest and (latest.pk, latest.assessed_on, latest.standard_total, latest.total),
        latest and latest.is_amended,
        change and (change.main.change, change.main.baseline_total, change.main.latest_total),
        card["review"],
    )


def test_the_person_pages_ndt_card_reads_what_queries_of_its_own_would(
    episode, standard, amended, amended_v2, assess, navigator
):
    """The latest NDT and how many there are come with the person page's own query; the card
    shows what it shows for a person read elsewhere, with none, one and two in the episode, and
    a draft and an earlier, closed episode's NDT left out."""
    from caseload.models import Person
    from caseload.selectors import person_detail

    person = episode.person
    AllocationFactory(episode=episode, worker=navigator, kind="lead_navigator")
    closed = EpisodeFactory(person=person, closed=True, start_date=date(2024, 1, 8))
    assess(closed, amended, on=date(2024, 6, 1), **ANSWERS)
    assess(episode, standard, on=date(2025, 6, 1), complete=False)

    def both():
        on_page = _ndt_card(person_detail(navigator, person.pk), navigator)
        assert on_page == _ndt_card(Person.objects.get(pk=person.pk), navigator)
        return on_page

    assert both()[0] is None
    first = assess(episode, standard, on=date(2025, 2, 1), **ANSWERS)
    assert both()[:3] == ((first.pk, date(2025, 2, 1), 14, first.total), False, None)
    second = assess(episode, amended_v2, on=date(2025, 5, 1), **{**ANSWERS, "isolation": 0})
    latest, is_amended, change, _review = both()
    assert latest == (second.pk, date(2025, 5, 1), second.standard_total, second.total)
    assert is_amended and change is not None


def test_a_caseload_row_counts_only_the_open_episodes_completed_ndts(
    navigator_client, navigator, team, amended, assess
):
    """A row asks for its change only when its open episode has two completed NDTs: a closed
    episode's and a draft do not count towards them."""
    from caseload.selectors import my_caseload

    person = PersonFactory(team=team)
    closed = {"status": "closed", "exit_destination": "other_support", "ending_planned": True}
    earlier = EpisodeFactory(
        person=person, start_date=date(2023, 1, 2), end_date=date(2024, 1, 2), **closed
    )
    assess(earlier, amended, on=date(2023, 3, 1), rest=1)
    assess(earlier, amended, on=date(2023, 6, 1), rest=2)
    episode = EpisodeFactory(person=person, start_date=date(2025, 1, 6))
    AllocationFactory(episode=episode, worker=navigator, kind="lead_navigator")
    assess(episode, amended, on=date(2025, 2, 1), **ANSWERS)
    assess(episode, amended, on=date(2025, 3, 1), complete=False)  # a draft

    def shown():
        [row] = my_caseload(navigator)
        page = navigator_client.get(reverse("caseload:my_caseload")).content.decode()
        return row.ndt_completed, "NDT since baseline" in page

    assert shown() == (1, False)
    assess(episode, amended, on=date(2025, 5, 1), **ANSWERS)
    assert shown() == (2, True)
