"""MDT actions due on the same day come out in one order everywhere they are listed: the
earliest agreed first, then by id, never as the database's plan happens to leave them."""

import re
import uuid
from datetime import timedelta

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from mdt import selectors
from mdt.models import Action
from mdt.templatetags.mdt_tags import mdt_panel


def _tied_actions(item, owner):
    """Four open actions due on one day, written in the opposite of the order they must be
    listed in: three agreed at the same moment (ids descending as written), then one agreed an
    hour earlier. Listed: the earlier one, then the three by id."""
    due = timezone.localdate() + timedelta(days=3)
    ids = [uuid.UUID(f"{n:x}" * 32) for n in (15, 14, 13, 9)]
    for n, pk in enumerate(ids):
        Action.objects.create(
            pk=pk,
            agenda_item=item,
            person=item.person,
            description=f"Tied action {n}",
            owner=owner,
            owner_organisation=owner.organisation,
            due_on=due,
            created_by=owner,
        )
    moment = timezone.now().replace(microsecond=0)
    Action.objects.filter(pk__in=ids[:3]).update(created_at=moment)
    Action.objects.filter(pk=ids[3]).update(created_at=moment - timedelta(hours=1))
    return [ids[3], ids[2], ids[1], ids[0]]


def test_actions_due_the_same_day_are_listed_in_one_order(client_for, chair, item, meeting):
    expected = _tied_actions(item, chair)

    summary = selectors.case_summary(item)
    assert [a.pk for a in summary.actions_here] == expected
    assert [a.pk for a in selectors.actions_owned_by(chair)] == expected
    assert [a.pk for a in Action.objects.filter(person=item.person)] == expected  # Meta, minutes
    _, owners = selectors.minutes(chair, meeting)
    assert [action.pk for _, action in owners[0][1]] == expected

    request = RequestFactory().get("/")
    request.user = chair
    assert [a.pk for a in mdt_panel({"request": request}, item.person)["actions"]] == expected

    live = reverse("mdt:live", args=[meeting.pk]) + f"?case={item.pk}"
    for url in (live, reverse("mdt:case", args=[item.pk]), reverse("mdt:my_actions")):
        html = client_for(chair).get(url).content.decode()
        shown = [uuid.UUID(pk) for pk in re.findall(r'id="action-([0-9a-f-]{36})"', html)]
        assert shown == expected, url
