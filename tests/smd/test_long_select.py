"""LongSelect writes the same <select> as Django's Select, escaping labels and values."""

from django import forms

from smd.forms import LongSelect

CHOICES = [
    ("", "---------"),
    ("a1", "Ann O'Neill (Probation & Parole)"),
    ("b2", "<script>alert(1)</script>"),
    ('c"3', 'Cal "Cally" Jones'),
]


def test_long_select_writes_what_djangos_select_writes():
    for value in [None, "", "b2", 'c"3']:
        ours = LongSelect(attrs={"id": "owner"}, choices=CHOICES).render("owner", value)
        django = forms.Select(attrs={"id": "owner"}, choices=CHOICES).render("owner", value)
        assert _options(ours) == _options(django)
        assert 'name="owner"' in ours and 'id="owner"' in ours
        assert "<script>" not in ours


def _options(html):
    import re

    return re.findall(r"<option[^>]*>[^<]*</option>", html)
