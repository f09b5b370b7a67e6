"""PlainWidgets writes every widget it writes itself byte for byte as Django's templates do,
escaping values, labels and attributes, and hands the rest to the templates."""

from datetime import date

import pytest
from django import forms
from django.utils.safestring import mark_safe

from smd.forms import PLAIN_WIDGETS

HOSTILE = 'Ann O\'Neill <script>alert(1)</script> & "Cally"'
CHOICES = [("", "---------"), ("a1", "Probation & Parole"), ("b2", HOSTILE), ('c"3', "C")]


def _widgets():
    attrs = {
        "class": "form-control",
        "maxlength": 200,
        "required": True,
        "disabled": False,
        "placeholder": None,
        "hx-get": mark_safe("/mdt/owners/?a=1&amp;b=2"),  # noqa: S308 - a {% url %} value
        "data-x": HOSTILE,
    }
    return [
        (forms.TextInput(attrs=attrs), [None, "", "plain", HOSTILE]),
        (forms.HiddenInput(), [None, 1, "3c56c2fc:1", HOSTILE]),
        (forms.NumberInput(attrs={"min": 0}), [None, 0, 15]),
        (forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), [None, date(2026, 12, 5)]),
        (forms.EmailInput(), ["a@example.org"]),
        (forms.CheckboxInput(), [True, False, None]),
        (forms.Textarea(attrs={"rows": 8, **attrs}), [None, "", "Two\nlines", HOSTILE]),
        (forms.Select(attrs=attrs, choices=CHOICES), [None, "", "b2", 'c"3']),
        (forms.Select(choices=[(1, "One"), (2, "Two")]), [1, "2", None]),
    ]


@pytest.mark.parametrize("widget,values", _widgets())
def test_plain_widgets_write_what_djangos_templates_write(widget, values):
    for value in values:
        for attrs in [None, {"id": "id_field", "aria-invalid": "true"}]:
            django = widget.render("field", value, attrs=attrs)
            ours = widget.render("field", value, attrs=attrs, renderer=PLAIN_WIDGETS)
            assert ours == django
            assert "<script>" not in ours


def test_option_groups_and_radio_lists_are_left_to_djangos_templates():
    grouped = forms.Select(choices=[("Team", [("a", "A"), ("b", "B")]), ("c", "C")])
    radios = forms.RadioSelect(choices=[("a", "A"), ("b", "B")])
    for widget in (grouped, radios):
        assert widget.render("f", "a", renderer=PLAIN_WIDGETS) == widget.render("f", "a")
    assert "<optgroup" in grouped.render("f", "a", renderer=PLAIN_WIDGETS)
