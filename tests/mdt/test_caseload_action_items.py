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
