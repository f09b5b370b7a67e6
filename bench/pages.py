"""In-process benchmark: the pages staff use most, timed one request at a time.

The steady figure beside bench/run.py's p95 under load. Each page is requested in this process
through Django's test client (the whole middleware stack, templates and SQL, no HTTP server),
signed in with the second factor given, as the benchmark users bench/run.py picks. After one
warm-up request each, it makes --rounds rounds (default 20); every round requests every page
once, in a shuffled order, so a slow moment of a shared machine falls on all pages alike. It
prints, per page, the median time, its ratio to the baseline page's median (/accounts/profile/,
the lightest signed-in page) measured in the same run, the queries one request makes, and the
page's size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smd_bench .venv/bin/python bench/pages.py

Options: --rounds N, --json FILE (every timing), --factor F (only printed, to label the run).
It writes one contact per round (the "Log a contact" page) and the audit entries the pages
make, as a user would. Figures and the commands are in docs/performance.md.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# name, label, role that requests it
PAGES = [
    ("baseline", "Baseline: your account", "navigator"),
    ("my_caseload", "My caseload", "navigator"),
    ("person", "Person page, long timeline", "navigator"),
    ("contact_post", "Log a contact (POST)", "navigator"),
    ("triage", "Triage queue", "team_leader"),
    ("capacity", "Team capacity", "manager"),
    ("mdt_live", "MDT live screen", "mdt_chair"),
]
# The ceilings these figures are held to (ratio of the median to the baseline's median).
TARGETS = {"person": 4.0, "mdt_live": 4.0, "my_caseload": 3.0, "contact_post": 2.5, "capacity": 3.0}


def set_up_django():
    """Django, configured as in production (DEBUG off) from this environment."""
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smd.settings")
    import django

    django.setup()


def signed_in(username):
    """A test client signed in as the user with their second factor given (their
    authenticator app, which bench/run.py's `pick` makes sure they have), as the code step of
    sign-in leaves the session. Without the second factor every page is a redirect."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from smd.models import User

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise RuntimeError(f"{username} has no authenticator app; run bench/run.py's pick first")
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@dataclass
class Page:
    name: str
    label: str
    role: str
    method: str
    path: str

    def request(self, client, setup, n=0):
        """One request; the contact POST logs a new contact (a new one-time key each time),
        for a different person of the caseload each time, as the caseload's quick form does."""
        if self.method == "get":
            return client.get(self.path)
        person = setup["caseload"][n % len(setup["caseload"])]
        return client.post(
            f"/people/{person}/contacts/new/", quick_contact_data(), HTTP_HX_REQUEST="true"
        )


def quick_contact_data(summary="Benchmark contact."):
    """What My caseload's quick contact form sends for a phone call just made, with a new
    one-time key: the request this benchmark times and tests/test_query_pins.py pins."""
    from django.utils import timezone

    return {
        "from": "caseload",
        "submission_key": str(uuid.uuid4()),
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "kind": "phone",
        "duration_minutes": "10",
        "summary": summary,
        "with_person": "on",
    }


def pages(setup):
    paths = {
        "baseline": "/accounts/profile/",
        "my_caseload": "/people/caseload/",
        "person": f"/people/{setup['long_timelines'][0]}/",
        "contact_post": f"/people/{setup['caseload'][0]}/contacts/new/",
        "triage": "/referrals/triage/",
        "capacity": "/people/capacity/",
        "mdt_live": f"/mdt/{setup['meeting']}/live/?case={setup['agenda_items'][0]}",
    }
    return [
        Page(name, label, role, "post" if name == "contact_post" else "get", paths[name])
        for name, label, role in PAGES
    ]


def check(page, response):
    if response.status_code != 200:
        where = response.get("Location", "")
        raise RuntimeError(f"{page.label}: HTTP {response.status_code} {where}".strip())


def measure(setup, rounds=20, seed=0):
    """Time every page `rounds` times, interleaved; return {name: figures} (times in ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for page in pages(setup):
        if page.role not in clients:
            clients[page.role] = signed_in(setup["users"][page.role])
    order = pages(setup)
    figures = {}
    for page in order:  # warm up, then count one request's queries and bytes
        check(page, page.request(clients[page.role], setup, n=0))
        with CaptureQueriesContext(connection) as ctx:
            response = page.request(clients[page.role], setup, n=1)
        check(page, response)
        figures[page.name] = {
            "label": page.label,
            "queries": len(ctx.captured_queries),
            "bytes": len(response.content),
            "times_ms": [],
        }
    shuffle = random.Random(seed)
    for n in range(rounds):
        shuffle.shuffle(order)
        for page in order:
            client = clients[page.role]
            started = time.perf_counter()
            response = page.request(client, setup, n=n + 2)
            took = time.perf_counter() - started
            check(page, response)
            figures[page.name]["times_ms"].append(round(took * 1000, 2))
    base = statistics.median(figures["baseline"]["times_ms"])
    for figure in figures.values():
        figure["median_ms"] = round(statistics.median(figure["times_ms"]), 2)
        figure["ratio"] = round(figure["median_ms"] / base, 2)
    return figures


def print_table(figures, factor=None):
    title = f" at {factor}x" if factor else ""
    print(f"\nIn-process medians{title} (ratio to the baseline page's median, same run)\n")
    print(f"{'page':<30} {'median ms':>10} {'ratio':>6} {'target':>7} {'queries':>8} {'kB':>7}")
    for name, figure in figures.items():
        target = f"<={TARGETS[name]:g}x" if name in TARGETS else ""
        print(
            f"{figure['label']:<30} {figure['median_ms']:>10.1f} {figure['ratio']:>5.1f}x"
            f" {target:>7} {figure['queries']:>8} {figure['bytes'] / 1024:>7.1f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write every timing to this file")
    parser.add_argument("--factor", help="the factor the database was seeded at (a label)")
    args = parser.parse_args()
    from bench.run import static_up_to_date

    if not static_up_to_date():  # the pages name their assets through the manifest, as live
        print("Collecting static files ...", flush=True)
        subprocess.run(  # noqa: S603 - this interpreter and manage.py, fixed arguments
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "false", "SECRET_KEY": "bench-only-" + "x" * 50},
            check=True,
        )
    set_up_django()
    from bench.run import pick

    setup = pick()
    if "error" in setup:
        raise SystemExit(f"bench/pages.py: {setup['error']} (seed with manage.py seed_scale)")
    figures = measure(setup, rounds=args.rounds)
    print_table(figures, args.factor)
    if args.json:
        args.json.write_text(json.dumps({"factor": args.factor, "pages": figures}, indent=2))


if __name__ == "__main__":
    main()
