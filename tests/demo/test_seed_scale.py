"""seed_scale: a small team's worth of fictional data, the same twice, within every constraint,
and only where it is wanted (DEBUG on, an empty database)."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from assessments.models import Assessment
from assessments.services import totals
from caseload.models import Contact, ContactKind, Episode, Person
from mdt.models import Action, AgendaItem
from referrals.models import EligibilityDecision, Referral
from returns.figures import build_return
from smd.models import Team
from smd.quarters import Quarter
from tests.factories import PersonFactory

UNTIL = date(2026, 3, 31)
SMALL = {"factor": 0.02, "until": UNTIL}  # 8 people: fast enough for every test run


def seed(**options):
    out = io.StringIO()
    call_command("seed_scale", **{**SMALL, **options}, stdout=out)
    return out.getvalue()


def snapshot():
    """Every row's id, by model: the same run twice must give the same."""
    models = [Person, Referral, EligibilityDecision, Episode, Contact, Assessment, AgendaItem]
    return {
        m.__name__: sorted(str(pk) for pk in m.objects.values_list("pk", flat=True)) for m in models
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_it_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        seed()
    assert not Person.objects.exists()


def test_it_refuses_a_database_that_holds_people(db, debug):
    PersonFactory()
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert Person.objects.count() == 1


def test_force_adds_to_a_database_that_holds_people(db, debug):
    PersonFactory()
    seed(force=True)
    assert Person.objects.count() > 1


def test_it_is_the_same_twice_after_a_flush(db, debug):
    report = seed()
    first = snapshot()
    assert first["Person"] and first["Contact"] and first["Assessment"] and first["AgendaItem"]
    assert "contacts" in report and " s" in report  # a line per table, with its time

    call_command("flush", interactive=False, verbosity=0)
    seed()

    assert snapshot() == first


def test_it_fills_one_team_at_the_asked_volume(db, debug):
    seed(factor=0.05)

    assert Team.objects.count() == 1
    team = Team.objects.get()
    assert 15 <= Person.objects.filter(team=team).count() <= 20  # 400 × 0.05
    women = Person.objects.filter(gender="woman").count()
    assert women >= 4


def test_totals_are_the_item_scores_weighted(db, debug):
    seed()
    completed = (
        Assessment.objects.completed()
        .select_related("scheme__comparable_to")
        .prefetch_related("scores__item", "scheme__items", "scheme__comparable_to__items")
    )
    assert completed
    for assessment in completed:
        scores = {s.item.key: s.score for s in assessment.scores.all()}
        assert (assessment.total, assessment.standard_total) == totals(
            scheme=assessment.scheme, scores=scores
        )


def test_an_episode_starts_on_its_first_contact_that_reached_the_person(db, debug):
    seed()
    for episode in Episode.objects.filter(start_date__isnull=False):
        first = (
            Contact.objects.filter(episode=episode)
            .exclude(kind=ContactKind.ATTEMPTED)
            .order_by("occurred_at")
            .first()
        )
        assert first.occurred_at.date() == episode.start_date


def test_mdt_actions_belong_to_cases_at_meetings_held(db, debug):
    seed()
    assert Action.objects.exists()
    assert not Action.objects.exclude(agenda_item__meeting__status="held").exists()


def test_the_quarterly_return_builds_on_it(db, debug):
    seed()
    result = build_return(Team.objects.get(), Quarter.containing(UNTIL).previous())
    active = next(f for f in result.figures if f.key == "active_at_end")
    assert active.values["all"] > 0
    # The staff were loaded with a first version of their profile, so they count as at the
    # quarter's end.
    places = next(f for f in result.figures if f.key == "navigator_places")
    assert places.values["all"] > 0


@pytest.mark.postgres
def test_copy_puts_back_every_index_and_foreign_key(db, debug):
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace ORDER BY 1"
            )
            return [row[0] for row in cursor.fetchall()]

    before = schema()
    seed()
    assert schema() == before


def test_partners_may_see_the_mdt_cases_they_were_invited_to(db, debug):
    """Every person on an agenda agreed to MDT sharing with the partners, under a data-sharing
    agreement in force: a partner invited by name sees that meeting's cases."""
    from mdt.models import Invitation, shared_with_partner
    from sharing.models import DataSharingAgreement

    seed()
    assert DataSharingAgreement.objects.in_force().count() == 1
    invitation = Invitation.objects.filter(
        member__isnull=False, meeting__agenda__isnull=False
    ).first()
    items = AgendaItem.objects.filter(meeting=invitation.meeting_id)
    visible = items.filter(shared_with_partner(invitation.member.organisation_id))
    assert visible.count() == items.count() > 0
