"""My caseload's MDT actions are written in Python (mdt_tags.caseload_action_items, ADR 0040's
way): the same bytes components/action.html draws with show_person, for each kind of action
and for hostile text."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from mdt import services

THROUGH_THE_TEMPLATE = Template(
    '{% for action in actions %}{% include "components/action.html" with show_person=True %}'
    "{% endfor %}"
)
IN_PYTHON = Template("{% load mdt_tags %}{% caseload_action_items actions %}")
# The live screen's: no show_person.
LIVE_THROUGH_THE_TEMPLATE = Template(
    '{% for action in actions %}{% include "components/action.html" %}{% endfor %}'
)
LIVE_IN_PYTHON = Template("{% load mdt_tags %}{% action_items actions %}")

HOSTILE = [
    "<script>alert(1)</script>",
    'O\'Brien & "Sons"',
    "\u202eevil {{ 7*7 }}",
    "Zoë 🏠 </li></ul>",
]


@pytest.fixture
def actions(item, navigator, chair):
    today = timezone.localdate()
    made = [
        services.action_add(
            item=item,
            description=f"Action {n}",
            owner=navigator,
            owner_organisation=navigator.organisation,
            due_on=today + timedelta(days=days),
            by=chair,
        )
        for n, days in enumerate((-30, -1, 0, 1, 40))
    ]
    made[1].progress_note = "Left a message with the hostel"
    made[2].done_at = timezone.now() - timedelta(days=2)  # done: the reopen button, no note form
    made[3].done_at = timezone.now()
    made[3].progress_note = "Done & dusted"
    return made


def _both(actions, path="/people/caseload/", live=False):
    request = RequestFactory().get(path)
    # One token for both: each render would otherwise mask the request's token afresh.
    token = "a-csrf-token-&-<quoted>"
    context = Context({"actions": actions, "request": request, "csrf_token": token})
    if live:
        return LIVE_THROUGH_THE_TEMPLATE.render(context), LIVE_IN_PYTHON.render(context)
    return THROUGH_THE_TEMPLATE.render(context), IN_PYTHON.render(context)


def test_each_kind_of_action_is_written_as_the_template_writes_it(actions):
    template, python = _both(actions)
    assert python == template
    assert python.count('<li class="border rounded') == 5
    assert "Overdue" in python and "Reopen" in python and "Progress: Left a message" in python
    assert 'name="csrfmiddlewaretoken" value="a-csrf-token-&amp;-&lt;quoted&gt;"' in python


def test_hostile_text_is_escaped_as_the_template_escapes_it(actions):
    for n, text in enumerate(HOSTILE):
        action = actions[n]
        action.description = text
        action.progress_note = text
        action.person.first_name = text
        action.person.known_as = HOSTILE[-1 - n]
        action.owner.first_name = text
        action.owner_organisation.name = text
    template, python = _both(actions, path='/people/caseload/?status=<b>&x="y"')
    assert python == template
    assert "<script>" not in python


def test_no_actions_no_items(actions):
    assert _both([]) == ("", "")


def test_the_live_screens_actions_are_written_as_the_template_writes_them(actions):
    template, python = _both(actions, path="/mdt/x/live/?case=1", live=True)
    assert python == template
    assert python.count('<li class="border rounded') == 5 and 'name="show_person"' not in python
    assert "Overdue" in python and "Reopen" in python and "Progress: Left a message" in python
    for n, text in enumerate(HOSTILE):
        actions[n].description = text
        actions[n].progress_note = text
        actions[n].owner.first_name = text
        actions[n].owner_organisation.name = text
    template, python = _both(actions, path='/mdt/x/live/?case=<b>&x="y"', live=True)
    assert python == template
    assert "<script>" not in python
    assert _both([], live=True) == ("", "")


# The live screen's agenda, as mdt/live.html drew it through the template.
AGENDA_THROUGH_THE_TEMPLATE = Template(
    """      {% for item in agenda %}
        <li class="list-group-item{% if summary and item.pk == summary.item.pk %} list-group-item-primary fw-semibold border-start border-4 border-primary{% endif %}">
          <a href="?case={{ item.pk }}"{% if summary and item.pk == summary.item.pk %} aria-current="step" class="link-body-emphasis"{% endif %}>{{ item.person }}</a>
          <span class="small d-block">{{ item.get_kind_display }} · {{ item.minutes }} min{% if item.outcome %} · {{ item.get_outcome_display }}{% endif %}</span>
          {% if not item.sharing_in_force %}<span class="badge text-bg-danger">No sharing agreement in force: do not discuss with partners</span>{% endif %}{% if item.sharing_in_force and item.not_shared_with %}<span class="small d-block text-danger-emphasis">Not shared with: {{ item.not_shared_with|join:", " }}</span>{% endif %}
        </li>
      {% empty %}<li class="list-group-item">No cases on the agenda.</li>{% endfor %}"""  # noqa: E501
)
AGENDA_IN_PYTHON = Template(
    "{% load mdt_tags %}"
    '      {% if agenda %}{% live_agenda_items agenda summary.item %}{% else %}<li class="'
    'list-group-item">No cases on the agenda.</li>{% endif %}'
)


def test_the_live_screens_agenda_is_written_as_the_template_wrote_it(
    item, meeting, navigator, team
):
    from mdt import selectors
    from mdt.models import AgendaItem
    from smd.models import Organisation
    from tests.factories import PersonFactory
    from tests.mdt.conftest import refer

    items = [item]
    for n, text in enumerate(HOSTILE):
        person = PersonFactory(team=team, first_name=text, known_as=HOSTILE[-1 - n])
        items.append(
            services.agenda_add(
                meeting=meeting, person=person, mdt_referral=refer(person, navigator)
            )
        )
    agenda = selectors.mark_sharing_gaps(meeting, selectors.agenda_for(meeting.chair, meeting))
    agenda[1].outcome = AgendaItem.Outcome.RESOLVED
    agenda[1].minutes = 1234  # as a template writes a number
    agenda[2].sharing_in_force = False
    agenda[3].not_shared_with = [Organisation(name=text) for text in HOSTILE]
    agenda[4].not_shared_with = [Organisation(name="Northgate Probation")]

    class Summary:
        def __init__(self, item):
            self.item = item

    for summary in (None, Summary(agenda[0]), Summary(agenda[3])):
        for listed in (agenda, agenda[:1], []):
            context = Context({"agenda": listed, "summary": summary})
            assert AGENDA_IN_PYTHON.render(context) == AGENDA_THROUGH_THE_TEMPLATE.render(context)
    html = AGENDA_IN_PYTHON.render(Context({"agenda": agenda, "summary": Summary(agenda[3])}))
    assert "<script>" not in html and html.count('aria-current="step"') == 1
    assert "No sharing agreement in force" in html and "Not shared with: " in html
