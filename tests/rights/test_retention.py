"""Retention: who is due, the weekly list, the dry run, and erasure that leaves every past figure
as it was."""

import json
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from caseload.models import ContactVersion, Person, PersonAlias
from documents.models import Document
from referrals.selectors import referral_overview
from returns.figures import build_return
from rights import services
from rights.collect import collect
from rights.erasure import PLACEHOLDER
from rights.export import person_export
from rights.models import RetentionReview
from rights.selectors import add_years, due_for_erasure
from smd.audit.models import AuditEvent
from smd.quarters import Quarter
from tests.factories import EpisodeFactory, PersonFactory, ReferralFactory
from tests.rights.conftest import at

TODAY = date(2026, 11, 22)


def _due_ids(team, **kwargs):
    return {d.person_id for d in due_for_erasure(team, today=TODAY, **kwargs)}


def _closed(person, ended):
    return EpisodeFactory(
        person=person,
        start_date=ended - timedelta(days=300),
        accepted_on=ended - timedelta(days=300),
        closed=True,
        end_date=ended,
    )


def _decided(team, person, on, outcome="not_eligible"):
    from referrals.models import EligibilityDecision

    referral = ReferralFactory(team=team, person=person, status=outcome)
    type(referral).objects.filter(pk=referral.pk).update(created_at=at(on - timedelta(days=10)))
    EligibilityDecision.objects.create(
        referral=referral,
        outcome=outcome,
        disadvantage_count=3,
        reason="Not now",
        signposted_to="Open access",
        decided_by=person.team.members.first() or _staff(team),
        decided_at=at(on),
    )
    return referral


def _staff(team):
    from tests.factories import UserFactory

    return UserFactory(team=team)


# --- who is due -------------------------------------------------------------------------------


def test_support_ended_more_than_six_years_ago_is_due(team):
    ended = PersonFactory(team=team)
    _closed(ended, date(2020, 11, 21))  # six years and a day before TODAY
    anniversary = PersonFactory(team=team)
    _closed(anniversary, date(2020, 11, 22))  # exactly six years: not yet
    assert _due_ids(team) == {ended.pk}
    due = due_for_erasure(team, today=TODAY)[0]
    assert due.last_involvement_on == date(2020, 11, 21)
    assert due.due_on == date(2026, 11, 21)


def test_open_support_or_a_waiting_referral_keeps_a_record(team):
    reopened = PersonFactory(team=team)
    _closed(reopened, date(2015, 1, 1))
    EpisodeFactory(person=reopened)  # supported again now
    waiting = PersonFactory(team=team)
    _closed(waiting, date(2015, 1, 1))
    ReferralFactory(team=team, person=waiting)  # a new referral, not decided yet
    assert _due_ids(team) == set()


def test_someone_never_supported_counts_from_their_last_referral(team):
    declined_long_ago = PersonFactory(team=team)
    _decided(team, declined_long_ago, date(2019, 3, 1))
    declined_lately = PersonFactory(team=team)
    _decided(team, declined_lately, date(2022, 3, 1))
    assert _due_ids(team) == {declined_long_ago.pk}


def test_a_later_referral_restarts_the_clock(team):
    person = PersonFactory(team=team)
    _closed(person, date(2015, 1, 1))
    _decided(team, person, date(2023, 5, 1), outcome="withdrawn")
    assert _due_ids(team) == set()


def test_a_record_with_nothing_in_it_counts_from_when_it_was_made(team):
    old = PersonFactory(team=team)
    Person.objects.filter(pk=old.pk).update(created_at=at(date(2018, 1, 1)))
    PersonFactory(team=team)  # made today
    assert _due_ids(team) == {old.pk}


def test_the_period_is_a_setting(team, settings):
    person = PersonFactory(team=team)
    _closed(person, date(2018, 1, 1))
    assert _due_ids(team) == {person.pk}
    settings.RETENTION_YEARS = 10
    assert _due_ids(team) == set()


def test_29_february_falls_due_on_28_february():
    assert add_years(date(2020, 2, 29), 6) == date(2026, 2, 28)


# --- the weekly list ---------------------------------------------------------------------------


def test_the_weekly_review_lists_each_due_person_once(rights_world, team):
    from rights.tasks import retention_review_weekly

    assert retention_review_weekly() == {team.name: 2}
    assert retention_review_weekly() == {team.name: 0}
    listed = RetentionReview.objects.filter(status="due")
    assert {r.person_id for r in listed} == {rights_world["ann"].pk, rights_world["zed"].pk}
    assert all(r.retention_years == 6 and r.team == team for r in listed)


def test_someone_referred_again_comes_off_the_list(rights_world, team):
    services.retention_review_run(team=team)
    ReferralFactory(team=team, person=rights_world["zed"])
    result = services.retention_review_run(team=team)
    assert result["no_longer_due"] == 1
    assert RetentionReview.objects.get(person=rights_world["zed"]).status == "no_longer_due"


def test_beat_runs_the_review_weekly(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="rights.tasks.retention_review_weekly")
    assert (task.crontab.day_of_week, task.crontab.hour, task.crontab.minute) == ("1", "3", "0")


def test_dry_run_reports_and_writes_nothing(rights_world):
    out = StringIO()
    call_command("retention_review", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Dry run" in text and "2 due" in text
    assert str(rights_world["ann"].pk) in text
    assert "Contacts: 2 anonymised" in text
    assert "Other names used: 2 deleted" in text
    # Ids, never names: this output may be kept in a log.
    assert "Annabel" not in text and "Zebedee" not in text
    assert not RetentionReview.objects.exists()
    assert Person.objects.get(pk=rights_world["ann"].pk).first_name == "Annabel"


def test_the_command_without_dry_run_lists(rights_world):
    call_command("retention_review", stdout=StringIO())
    assert RetentionReview.objects.filter(status="due").count() == 2


# --- erasure -----------------------------------------------------------------------------------


def _figures(team):
    """Every figure of three past quarters' returns, and the referral overview for the year."""
    out = {}
    for quarter in [Quarter(2017, 3), Quarter(2017, 4), Quarter(2018, 1)]:
        for f in build_return(team, quarter).figures:
            out[(quarter.label, f.key)] = (f.values, f.people, f.bases)
    return out


def _overview(user):
    return [(t.title, t.rows, t.totals) for t in referral_overview(user, 2017)]


def _erase(rights_world, team, who="ann"):
    services.retention_review_run(team=team)
    review = RetentionReview.objects.get(person=rights_world[who])
    return services.person_erase(
        review=review, by=rights_world["manager"], reason="Retention period passed"
    )


def test_erasure_leaves_every_past_figure_unchanged(rights_world, team):
    before, overview = _figures(team), _overview(rights_world["manager"])
    assert before[("2017/18 Q3", "active_at_end")][0]["all"] == 2
    assert before[("2017/18 Q3", "budgets_spent")][0]["all"] == 100.5
    _erase(rights_world, team)
    assert _figures(team) == before
    assert _overview(rights_world["manager"]) == overview


def test_erasure_tells_team_capacity_that_what_it_keeps_may_have_changed(rights_world, team):
    """Erasure clears records with UPDATEs, which send no post_save, and an erased person
    leaves every list of people: it bumps team capacity's generation itself, so nothing the
    page keeps in the cache (its totals, its people waiting) outlives it."""
    from django.core.cache import cache

    from caseload import capacity_cache

    generation = f"{capacity_cache._namespace()}:generation"
    services.retention_review_run(team=team)
    review = RetentionReview.objects.get(person=rights_world["ann"])
    before = cache.get(generation, 0)
    services.person_erase(review=review, by=rights_world["manager"], reason="Retention passed")
    assert cache.get(generation, 0) > before


def test_erasure_clears_every_typed_word_and_identifier(rights_world, team):
    ann = rights_world["ann"]
    born = ann.date_of_birth
    _erase(rights_world, team)
    ann.refresh_from_db()
    assert (ann.first_name, ann.last_name, ann.nhs_number) == ("Erased", "record", "")
    # Month and year of birth stay for the age bands; the day goes.
    assert ann.date_of_birth == (born.replace(day=1) if born else None)
    assert ann.gender == "woman"  # kept: the returns split by it
    data, _ = person_export(ann, by=rights_world["manager"])
    text = json.dumps(data)
    assert "SECRET" not in text and "Annabel" not in text and "Quigley" not in text
    assert "rita.referrer" not in text and "9434765919" not in text
    assert PLACEHOLDER in text
    assert not PersonAlias.objects.filter(person=ann).exists()
    assert not ContactVersion.objects.filter(contact__person=ann).exists()
    contact = data["records"]["caseload.Contact"][0]
    assert contact["summary"] == PLACEHOLDER
    assert contact["topics"] == {"codes": ["housing"], "labels": ["Housing"]}
    assert contact["duration_minutes"] == 30


def test_erasure_leaves_other_people_alone(rights_world, team):
    zed = rights_world["zed"]
    _erase(rights_world, team)
    zed.refresh_from_db()
    assert zed.first_name == "Zebedee"
    data, _ = person_export(zed, by=rights_world["manager"])
    assert json.dumps(data).count("OTHERPERSON") >= 30


def test_erasure_is_audited_and_recorded(rights_world, team):
    review = _erase(rights_world, team)
    assert review.status == "erased" and review.decided_by == rights_world["manager"]
    assert review.outcome["records"]["caseload.Contact"] == ["anonymised", 1]
    assert review.outcome["records"]["caseload.PersonAlias"] == ["deleted", 1]
    entry = AuditEvent.objects.get(action="erase")
    assert entry.person_id == rights_world["ann"].pk
    assert entry.object_id == str(review.pk)
    assert "Annabel" not in entry.description


def test_an_erased_record_is_nobodys_to_open(rights_world, team, client_for):
    _erase(rights_world, team)
    client = client_for(rights_world["manager"])
    assert client.get(rights_world["ann"].get_absolute_url()).status_code == 404
    listed = client.get(reverse("caseload:person_list")).context["page"]
    assert rights_world["ann"] not in list(listed)
    assert collect([rights_world["ann"].pk])  # the rows are still there, for the figures


def test_erasure_refuses_someone_no_longer_due(rights_world, team):
    from django.core.exceptions import ValidationError

    services.retention_review_run(team=team)
    ReferralFactory(team=team, person=rights_world["ann"])  # referred again since Monday
    review = RetentionReview.objects.get(person=rights_world["ann"])
    with pytest.raises(ValidationError):
        services.person_erase(review=review, by=rights_world["manager"], reason="Past it")
    review.refresh_from_db()
    assert review.status == "no_longer_due"
    assert Person.objects.get(pk=rights_world["ann"].pk).first_name == "Annabel"


def test_erasure_needs_a_reason(rights_world, team):
    from django.core.exceptions import ValidationError

    services.retention_review_run(team=team)
    review = RetentionReview.objects.get(person=rights_world["ann"])
    with pytest.raises(ValidationError):
        services.person_erase(review=review, by=rights_world["manager"], reason="  ")


# --- the page ----------------------------------------------------------------------------------


def test_the_page_lists_who_is_due_and_what_erasing_would_do(rights_world, team, client_for):
    services.retention_review_run(team=team)
    client = client_for(rights_world["manager"])
    response = client.get(reverse("rights:retention"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert {r.person for r in response.context["reviews"]} == {
        rights_world["ann"],
        rights_world["zed"],
    }
    assert b"Annabel Quigley" in response.content
    preview = {line["label"]: line for line in response.context["preview"]}
    assert preview["caseload.Contact"]["rows"] == 2
    assert preview["caseload.PersonAlias"]["action"] == "deleted"
    assert Person.objects.get(pk=rights_world["ann"].pk).first_name == "Annabel"


def test_the_page_costs_the_same_for_more_people(rights_world, team, client_for, count_queries):
    client = client_for(rights_world["manager"])
    services.retention_review_run(team=team)

    def count():
        return count_queries.page(client, reverse("rights:retention"))

    before = count()
    for _ in range(3):
        _closed(PersonFactory(team=team), date(2015, 6, 1))
    services.retention_review_run(team=team)
    assert RetentionReview.objects.filter(status="due").count() == 5
    assert count() == before


def test_a_manager_erases_chosen_people_with_a_reason(rights_world, team, client_for):
    services.retention_review_run(team=team)
    client = client_for(rights_world["manager"])
    ann_review = RetentionReview.objects.get(person=rights_world["ann"])
    response = client.post(
        reverse("rights:retention_erase"),
        {"reviews": [str(ann_review.pk)], "reason": "Retention period passed", "confirm": "on"},
    )
    assert response.status_code == 302
    assert RetentionReview.objects.get(pk=ann_review.pk).status == "erased"
    assert RetentionReview.objects.get(person=rights_world["zed"]).status == "due"


def test_bulk_erasure_erases_each_chosen(rights_world, team, client_for):
    services.retention_review_run(team=team)
    client = client_for(rights_world["manager"])
    reviews = [str(r.pk) for r in RetentionReview.objects.all()]
    client.post(
        reverse("rights:retention_erase"),
        {"reviews": reviews, "reason": "Retention period passed", "confirm": "on"},
    )
    assert RetentionReview.objects.filter(status="erased").count() == 2
    assert not Person.objects.filter(first_name__in=["Annabel", "Zebedee"]).exists()


def test_erasing_without_reason_or_confirmation_changes_nothing(rights_world, team, client_for):
    services.retention_review_run(team=team)
    client = client_for(rights_world["manager"])
    review = RetentionReview.objects.get(person=rights_world["ann"])
    response = client.post(reverse("rights:retention_erase"), {"reviews": [str(review.pk)]})
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"Tick to confirm." in response.content
    # What was chosen stays chosen.
    assert re.search(f'value="{review.pk}" id="[^"]+" checked'.encode(), response.content)
    assert not RetentionReview.objects.filter(status="erased").exists()


def test_a_stale_choice_is_an_error_not_a_500(rights_world, team, client_for):
    services.retention_review_run(team=team)
    client = client_for(rights_world["manager"])
    response = client.post(
        reverse("rights:retention_erase"),
        {"reviews": ["not-a-review"], "reason": "x", "confirm": "on"},
    )
    assert response.status_code == 400
    assert b"no longer on the list" in response.content


def test_erasure_deletes_the_earlier_versions_of_erased_records(rights_world, team):
    from rights.collect import history_model_of

    ann, zed = rights_world["ann"], rights_world["zed"]
    ann_history = ann.history.model
    assert ann_history.objects.filter(id=ann.pk).exists()
    review = _erase(rights_world, team)
    assert review.outcome["history_rows_deleted"] > 0
    for model, keys in collect([ann.pk]).items():
        history = history_model_of(model)
        if history is not None:
            assert not history.objects.filter(id__in=keys).exists(), model
    assert ann_history.objects.filter(id=zed.pk).exists()
    # Erasure writes with update(): it leaves no new version holding the old names behind.
    assert not ann_history.objects.filter(id=ann.pk).exists()


def test_a_save_from_before_the_erasure_cannot_write_back_what_it_cleared(rights_world, team):
    """Erasure changes the rows in bulk: it moves their version on too (ADR 0023), so a save
    begun on a page opened before it (the page itself is gone: erased people are not shown) is
    refused rather than putting the name back."""
    from django.db import transaction

    from smd.versioning import EditConflict, version_claim

    ann = rights_world["ann"]
    seen = ann.version_token
    _erase(rights_world, team)

    with pytest.raises(EditConflict), transaction.atomic():
        version_claim(record=ann, seen=seen)


def test_erasure_deletes_the_persons_documents_and_their_files_after_commit(
    rights_world, team, django_capture_on_commit_callbacks
):
    ann, zed = rights_world["ann"], rights_world["zed"]
    names = list(Document.objects.filter(person=ann).values_list("stored_name", flat=True))
    kept = list(Document.objects.filter(person=zed).values_list("stored_name", flat=True))
    assert names and all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        _erase(rights_world, team)
    assert not Document.objects.filter(person=ann).exists()
    assert not any(default_storage.exists(name) for name in names)
    assert all(default_storage.exists(name) for name in kept)
