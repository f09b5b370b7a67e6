"""Who may own an MDT action, and how the chair chooses them: the owner list offers the people
at the meeting and the case's workers, anyone else in the team (or invited) is typed, and the
live screen stays the same size however many staff the team has."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from caseload.models import Allocation
from mdt.models import Action
from smd.models import Role
from tests.factories import AllocationFactory, NavigatorFactory, UserFactory, new_key


def _live(client, meeting, item):
    return client.get(reverse("mdt:live", args=[meeting.pk]) + f"?case={item.pk}")


def _owner_options(html):
    select = re.search(r'<select[^>]* name="owner"[ >].*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def _add(client, item, **data):
    payload = {
        "description": "Ring the housing officer",
        "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        **new_key(),
        **data,
    }
    return client.post(reverse("mdt:action_add", args=[item.pk]), payload)


def test_the_owner_list_offers_the_people_at_the_meeting_and_the_case_workers(
    client_for, chair, meeting, item, partner, team, person
):
    lead = NavigatorFactory(team=team, first_name="Leona", last_name="Lead")
    AllocationFactory(
        episode=person.episodes.get(), worker=lead, kind=Allocation.Kind.LEAD_NAVIGATOR
    )
    NavigatorFactory(team=team, first_name="Olive", last_name="Other")
    options = _owner_options(_live(client_for(chair), meeting, item).content.decode())
    assert any(o.startswith("Leona Lead") for o in options)  # the case's lead worker
    assert any(o.startswith("Priya") for o in options)  # the invited partner member
    assert any(o.startswith("Charles") for o in options)  # the chair
    assert not any(o.startswith("Olive Other") for o in options)  # typed, not listed


def test_the_live_screen_does_not_grow_with_the_staff(client_for, chair, meeting, item, team):
    client = client_for(chair)
    before = _live(client, meeting, item).content
    for _ in range(40):
        NavigatorFactory(team=team)
    after = _live(client, meeting, item).content
    assert after.count(b"<option") == before.count(b"<option")
    # The same page but for the one-time key and the token, which differ on every request.
    assert abs(len(after) - len(before)) < 200


def test_someone_else_in_the_team_is_typed_and_becomes_the_owner(client_for, chair, item, team):
    zara = NavigatorFactory(team=team, first_name="Zarya", last_name="Quintessa")
    response = _add(client_for(chair), item, owner_name="zarya quint")
    assert response.status_code == 302
    action = Action.objects.get(agenda_item=item)
    assert action.owner == zara and action.owner_organisation == zara.organisation


def test_the_type_ahead_value_names_one_person_among_namesakes(client_for, chair, item, team):
    NavigatorFactory(team=team, first_name="Sam", last_name="Jones", username="sjones1")
    second = NavigatorFactory(team=team, first_name="Sam", last_name="Jones", username="sjones2")
    response = _add(client_for(chair), item, owner_name="Sam Jones (Anything) [sjones2]")
    assert response.status_code == 302
    assert Action.objects.get(agenda_item=item).owner == second


def test_a_name_that_matches_several_asks_which_and_lists_them(client_for, chair, item, team):
    NavigatorFactory(team=team, first_name="Sam", last_name="Jones")
    NavigatorFactory(team=team, first_name="Sam", last_name="Jonas")
    response = _add(client_for(chair), item, owner_name="Sam Jon")
    assert response.status_code == 400
    html = response.content.decode()
    assert "More than one person matches" in html
    options = _owner_options(html)
    assert any(o.startswith("Sam Jones") for o in options)
    assert any(o.startswith("Sam Jonas") for o in options)
    assert not Action.objects.filter(agenda_item=item).exists()


def test_an_owner_outside_the_team_and_the_meeting_is_refused(
    client_for, chair, item, other_team, probation
):
    elsewhere = NavigatorFactory(team=other_team, first_name="Ottoline")
    uninvited = UserFactory(role=Role.MDT_MEMBER, team=None, organisation=probation)
    client = client_for(chair)
    for stranger in (elsewhere, uninvited):
        response = _add(client, item, owner=str(stranger.pk))
        assert response.status_code == 400
        assert "Choose someone in the team, or a member invited to this meeting." in (
            response.content.decode()
        )
    response = _add(client, item, owner_name="Ottoline")
    assert response.status_code == 400
    assert "Nobody in the team or invited to this meeting is called" in response.content.decode()
    assert not Action.objects.filter(agenda_item=item).exists()


def test_an_invited_partner_member_may_still_own_an_action(client_for, chair, item, partner):
    response = _add(client_for(chair), item, owner=str(partner.pk))
    assert response.status_code == 302
    action = Action.objects.get(agenda_item=item)
    assert action.owner == partner and action.owner_organisation == partner.organisation


def test_no_owner_at_all_is_a_field_error(client_for, chair, item):
    response = _add(client_for(chair), item)
    assert response.status_code == 400
    assert "Choose the owner, or type the name of someone else." in response.content.decode()


def test_owner_search_offers_a_few_who_may_own_and_no_one_else(
    client_for, chair, meeting, team, other_team
):
    for n in range(12):
        NavigatorFactory(team=team, first_name="Quillon", last_name=f"Number{n}")
    NavigatorFactory(team=other_team, first_name="Quillon", last_name="Elsewhere")
    client = client_for(chair)
    url = reverse("mdt:owners", args=[meeting.pk])
    options = client.get(url, {"owner_name": "quillon"}, HTTP_HX_REQUEST="true")
    values = re.findall(r'<option value="([^"]*)">', options.content.decode())
    assert len(values) == 8 and all(v.startswith("Quillon Number") for v in values)
    assert "<html" not in options.content.decode()
    page = client.get(url, {"owner_name": "Elsewhere"})
    assert page.status_code == 200 and "Nobody who can own an action matches" in (
        page.content.decode()
    )


def test_owner_search_takes_anything_typed_without_failing(client_for, chair, meeting):
    client = client_for(chair)
    url = reverse("mdt:owners", args=[meeting.pk])
    for typed in ["", " ", "[", "]]", "a [b] [", "%_%", "x" * 5000, "\u0000", "<script>"]:
        response = client.get(url, {"owner_name": typed}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()
