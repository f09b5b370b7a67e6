from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from mdt.models import Action, AgendaItem, MdtMeeting
from smd.models import Role
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory


def test_caseload_rows_show_ndt_review_and_open_mdt_actions(
    client_for, make_user, team, amended, assess, navigator
):
    client = client_for(navigator)
    today = timezone.localdate()
    assessed = PersonFactory(team=team, first_name="Assessed")
    episode = EpisodeFactory(person=assessed, start_date=today - timedelta(days=200))
    AllocationFactory(episode=episode, worker=navigator, kind="lead_navigator")
    assess(episode, amended, on=today - timedelta(weeks=13) + timedelta(days=5))
    never = PersonFactory(team=team, first_name="Never")
    waiting = EpisodeFactory(person=never, start_date=today - timedelta(days=3))
    AllocationFactory(episode=waiting, worker=navigator, kind="lead_navigator")
    chair = make_user(Role.MDT_CHAIR)
    meeting = MdtMeeting.objects.create(team=team, starts_at=timezone.now(), place="x", chair=chair)
    item = AgendaItem.objects.create(
        meeting=meeting, person=assessed, kind="new", sharing_basis="agreed", position=1
    )
    for due in (today - timedelta(days=1), today + timedelta(days=3)):
        Action.objects.create(
            agenda_item=item,
            person=assessed,
            description="x",
            owner=chair,
            owner_organisation=chair.organisation,
            due_on=due,
            created_by=chair,
        )
    page = client.get(reverse("caseload:my_caseload")).content.decode()
    assert "NDT review due in 5 days" in page
    assert "NDT baseline overdue by 3 days" in page
    assert "Open MDT actions: 2" in page and "1 overdue" in page
