"""The benchmark scripts keep working as the app changes: bench/pages.py (the in-process
medians) and bench/explain.py (the query plans) sign in with the second factor, find their
users and records in seed_scale's data, and every page they measure answers 200.

A page that starts answering a redirect or an error (a changed URL, a sign-in step they do not
take) fails here rather than quietly measuring a redirect, which is how the plans in
docs/performance.md once stopped being reproducible."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from bench import explain, pages
from bench.run import pick


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True  # seed_scale refuses without it
    call_command("seed_scale", factor=0.05, stdout=io.StringIO())
    settings.DEBUG = False
    setup = pick()
    assert "error" not in setup, setup
    return setup


def test_every_page_is_measured_signed_in(seeded):
    figures = pages.measure(seeded, rounds=2)

    assert set(figures) == {name for name, _, _ in pages.PAGES}
    for name, figure in figures.items():
        assert len(figure["times_ms"]) == 2, name
        assert figure["queries"] > 0, name
        assert figure["median_ms"] > 0, name
    assert figures["baseline"]["ratio"] == 1.0
    # The person page is the one with the long timeline, and it shows it.
    assert figures["person"]["bytes"] > figures["baseline"]["bytes"]


def test_a_page_that_redirects_stops_the_benchmark(seeded):
    """Without the second factor every page redirects to the code step: the check refuses."""
    from smd.models import User

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(User.objects.get(username=seeded["users"]["navigator"]))
    caseload = next(p for p in pages.pages(seeded) if p.name == "my_caseload")

    with pytest.raises(RuntimeError, match="HTTP 302"):
        pages.check(caseload, caseload.request(client, seeded))


@pytest.mark.postgres
def test_explain_plans_every_query_of_every_page(seeded):
    out = io.StringIO()

    plans = explain.explain(seeded, full_ms=0, out=out)

    assert set(plans) == {label for _, label, _ in pages.PAGES}
    for label, queries in plans.items():
        assert queries, f"{label}: no SELECT planned"
    text = out.getvalue()
    assert "HTTP 200" in text and "Execution Time" in text
