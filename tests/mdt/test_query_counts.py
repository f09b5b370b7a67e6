"""MDT lists and detail pages issue the same number of queries however many rows they show."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from mdt import services
from tests.factories import EpisodeFactory, PersonFactory
from tests.mdt.conftest import refer


def _grow(meeting, item, team, navigator, chair, n):
    for i in range(n):
        other = PersonFactory(team=team)
        EpisodeFactory(person=other)
        services.agenda_add(meeting=meeting, person=other, mdt_referral=refer(other, navigator))
        services.action_add(
            item=item,
            description=f"Action {i}",
            owner=chair,
            owner_organisation=chair.organisation,
            due_on=timezone.localdate() + timedelta(days=i),
            by=chair,
        )


def test_meeting_pages_cost_the_same_as_agendas_and_actions_grow(
    client_for, chair, meeting, item, team, navigator, count_queries
):
    client = client_for(chair)
    pages = [
        reverse("mdt:meetings"),
        reverse("mdt:meeting", args=[meeting.pk]),
        reverse("mdt:case", args=[item.pk]),
        reverse("mdt:my_actions"),
    ]
    _grow(meeting, item, team, navigator, chair, 1)
    few = [count_queries.page(client, page) for page in pages]
    _grow(meeting, item, team, navigator, chair, 6)
    assert [count_queries.page(client, page) for page in pages] == few


def test_the_owner_list_is_the_same_select_django_would_write(meeting, chair, navigator):
    import re

    from django import forms

    from mdt.forms import ActionForm

    form = ActionForm(meeting=meeting, initial={"owner": navigator.pk})
    ours = str(form["owner"])
    form.fields["owner"].widget = forms.Select(choices=form.fields["owner"].widget.choices)
    django = str(form["owner"])

    def options(html):
        return re.findall(r"<option[^>]*>[^<]*</option>", html.replace("\n", ""))

    assert options(ours) == options(django)
    assert f'value="{navigator.pk}" selected>' in ours
    assert 'name="owner"' in ours and 'id="id_owner"' in ours
