"""Benchmark: the pages staff use most, served as in production, at 20 concurrent users.

One command does everything: it checks PostgreSQL and Redis answer, migrates the benchmark
database (and fills it with `seed_scale` if it is empty and --seed is given), picks the
benchmark users, collects static files, starts gunicorn as the Dockerfile does (DEBUG off,
3 workers) on a free port, signs in a navigator, a team leader, the MDT chair and a manager,
drives a fixed number of requests with locust (headless, as a library), stops gunicorn, builds
one quarterly return the way the Celery worker does, and prints a table:

- per page, p50 and p95 latency and the ratio of its p95 to the baseline page's p95 measured in
  the same run (the baseline is /accounts/profile/, the lightest signed-in page);
- the peak resident memory of a gunicorn worker (sampled every 0.1 s);
- the time to build one quarterly return (bench/returns.py's measurement).

    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/smd_bench

It exits 2, saying why, if PostgreSQL or Redis cannot be reached or the database holds no
seeded team, and 1 if the run itself failed (a page answered with an error). Figures and the
machine they came from are in docs/performance.md.
"""

import argparse
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/smd_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"

# name -> (label, role that requests it). "baseline" is requested by every role.
PAGES = {
    "baseline": "Baseline: your account",
    "my_caseload": "My caseload",
    "person": "Person page, long timeline",
    "contact_post": "Log a contact (POST)",
    "triage": "Triage queue",
    "capacity": "Team capacity",
    "mdt_live": "MDT live screen",
}
ROLE_PAGES = {
    "navigator": ["my_caseload", "person", "contact_post"],
    "team_leader": ["triage"],
    "mdt_chair": ["mdt_live"],
    "manager": ["capacity"],
}
# Of the 20 users: navigators do three pages, so there are more of them.
ROLE_SHARE = {"navigator": 8, "team_leader": 4, "mdt_chair": 4, "manager": 4}

TARGETS = {
    "ratio_100": 3.0,  # every page's p95 within 3x the baseline's at 100x
    "ratio_1": 2.0,  # and within 2x at 1x
    "p95_ms": 250,
    "contact_post_p95_ms": 150,
    "worker_mb": 250,
    "return_s": 20,
}


def fail(message, code=2):
    print(f"bench/run.py: {message}", file=sys.stderr)
    raise SystemExit(code)


# --- services -----------------------------------------------------------------------------------


def check_services(database_url, redis_url):
    try:
        import psycopg

        with psycopg.connect(
            database_url.replace("postgres://", "postgresql://", 1), connect_timeout=5
        ):
            pass
    except Exception as exc:
        fail(
            f"PostgreSQL is not available at {database_url} ({exc}).\n"
            "Start it, or name another database with --database-url (it must exist)."
        )
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        fail(f"Redis is not available at {redis_url} ({exc}). Start it, or pass --redis-url.")


def manage(env, *args, capture=False):
    result = subprocess.run(  # noqa: S603 - this interpreter and manage.py, fixed arguments
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=capture,
    )
    if result.returncode:
        fail(f"manage.py {' '.join(args)} failed:\n{result.stderr if capture else ''}", 1)
    return result.stdout


def free_port(preferred):
    for port in [preferred] if preferred else []:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                fail(f"port {port} is in use; pass another --port, or 0 for any free port")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- preparing the database (runs in a child with Django set up) -------------------------------


def prepare():
    """Pick the benchmark users and records (`pick`) and print them as JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smd.settings")
    import django

    django.setup()
    print(json.dumps(pick()))


def pick():
    """The benchmark users and records, chosen deterministically, as a dict (Django set up).

    The users are the seeded team's busiest navigator (most open allocations), its first team
    leader, MDT chair and manager by username. Each gets the known benchmark password (the
    seed's demo password) if it does not already have it, and an authenticator app and fresh
    backup codes (`_sign_in_codes`). Nothing personal is in it: ids and usernames only. When
    the data will not do, the dict is {"error": why}; bench/pages.py and bench/explain.py use
    it in-process, bench/run.py through `--prepare`."""
    from django.db.models import Count, Q

    from caseload import selectors
    from demo.management.commands.seed_demo import DEMO_PASSWORD
    from mdt.models import AgendaItem, MdtMeeting
    from smd.models import Role, Team, User

    team = Team.objects.annotate(n=Count("people")).order_by("-n", "name").first()
    if team is None or team.n == 0:
        return {"error": "no team with people"}
    staff = User.objects.filter(team=team, is_active=True).order_by("username")
    navigator = (
        staff.filter(role=Role.NAVIGATOR)
        .annotate(
            load=Count(
                "allocations",
                filter=Q(allocations__ended_at__isnull=True, allocations__kind="lead_navigator"),
            )
        )
        .order_by("-load", "username")
        .first()
    )
    users = {
        "navigator": navigator,
        "team_leader": staff.filter(role=Role.TEAM_LEADER).first(),
        "mdt_chair": staff.filter(role=Role.MDT_CHAIR).first(),
        "manager": staff.filter(role=Role.MANAGER).first(),
    }
    missing = [role for role, user in users.items() if user is None]
    if missing:
        return {"error": f"the team has no {', '.join(missing)}"}
    for user in users.values():
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])

    caseload = list(selectors.my_caseload(navigator).values_list("pk", flat=True)[:200])
    longest = list(
        selectors.my_caseload(navigator)
        .annotate(contacts_count=Count("contacts"))
        .order_by("-contacts_count", "pk")
        .values_list("pk", "contacts_count")[:5]
    )
    chair = users["mdt_chair"]
    meeting = (
        MdtMeeting.objects.filter(team=team)
        .exclude(status=MdtMeeting.Status.PLANNED)
        .order_by("-starts_at")
        .first()
    )
    items = (
        list(
            AgendaItem.objects.filter(meeting=meeting)
            .order_by("position")
            .values_list("pk", flat=True)
        )
        if meeting
        else []
    )
    if not caseload or meeting is None or not items:
        return {"error": "the navigator has no caseload or the team no held MDT meeting"}
    return {
        "team_people": team.n,
        "password": DEMO_PASSWORD,
        "users": {role: user.username for role, user in users.items()},
        "codes": _sign_in_codes(users),
        "caseload": [str(pk) for pk in caseload],
        "long_timelines": [str(pk) for pk, _ in longest],
        "long_timeline_contacts": [n for _, n in longest],
        "meeting": str(meeting.pk),
        "agenda_items": [str(pk) for pk in items],
        "chair_can_run": meeting.can_run(chair),
    }


def _sign_in_codes(users, per_user=40):
    """Two-factor sign-in: each user gets an authenticator app (if they have none) and a fresh
    set of one-time backup codes, one for each sign-in the run makes (20 virtual users, with
    retries). A backup code is accepted at the code step like an app's code, but any number can
    be used within the same 30 seconds; an app's code is accepted once per 30 seconds."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from smd.two_factor.services import APP_DEVICE_NAME, BACKUP_DEVICE_NAME

    codes = {}
    for role, user in users.items():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=True)
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        tokens = {StaticToken.random_token() for _ in range(per_user * 2)}
        tokens = sorted(tokens)[:per_user]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
        codes[role] = tokens
    return codes


# --- the load (runs in a child: locust patches the standard library with gevent) ----------------


def _csrf(client):
    return next((c.value for c in client.cookiejar if c.name == "csrftoken"), "")


def log_in(client, username, password, code):
    """Sign in as a person would: the form, then the code step of two-factor sign-in (with a
    one-time backup code, see `_sign_in_codes`).

    Raises if the user does not end up signed in. The only place that knows how sign-in works."""
    client.get("/accounts/login/", name="login")
    response = client.post(
        "/accounts/login/",
        data={
            "csrfmiddlewaretoken": _csrf(client),
            "username": username,
            "password": password,
            "next": "/accounts/profile/",
        },
        name="login",
    )
    text = response.text or ""
    if 'name="code"' not in text:
        raise RuntimeError(f"sign-in as {username}: no code step (HTTP {response.status_code})")
    response = client.post(
        "/accounts/two-factor/?next=/accounts/profile/",
        data={"csrfmiddlewaretoken": _csrf(client), "code": code},
        name="login",
    )
    text = response.text or ""
    if response.status_code != 200 or f"{username}</dd>" not in text:
        raise RuntimeError(
            f"sign-in as {username} failed (HTTP {response.status_code}): {_said(text)}"
        )


def _said(page):
    """The page's title and its first error, to say why a sign-in step did not go through."""
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    error = re.search(r'class="invalid-feedback[^"]*"[^>]*>(.*?)<', page, re.S)
    found = [m.group(1).strip() for m in (title, error) if m]
    return " / ".join(found) or "no title"


def drive(plan_path):
    """The locust part: 20 users, each role taking requests from its own fixed queue."""
    from http.cookiejar import DefaultCookiePolicy

    import gevent
    from locust import FastHttpUser, constant, events
    from locust.env import Environment
    from locust.exception import StopUser

    plan = json.loads(Path(plan_path).read_text())
    host = plan["host"]
    rng = random.Random(plan["seed"])  # noqa: S311 - a reproducible schedule, not a secret
    queues = {}
    users_total = sum(ROLE_SHARE.values())
    for role, pages in ROLE_PAGES.items():
        queue = [page for page in pages for _ in range(plan["requests"])]
        queue += ["baseline"] * round(plan["requests"] * ROLE_SHARE[role] / users_total)
        rng.shuffle(queue)
        queues[role] = queue
    timings = {name: [] for name in PAGES}
    errors = []

    class SecureOverLoopback(DefaultCookiePolicy):
        # In production a TLS proxy sits in front of gunicorn and says so with
        # X-Forwarded-Proto; the cookies are Secure. Here the client speaks plain HTTP to
        # 127.0.0.1 and sends that header, so it must send the Secure cookies back too.
        def return_ok_secure(self, cookie, request):
            return True

    @events.request.add_listener
    def record(name, response_time, exception, response, **kwargs):
        if name in timings:
            if exception:
                errors.append(f"{name}: {exception}")
            else:
                timings[name].append(response_time)

    counters = dict.fromkeys(ROLE_PAGES, 0)
    signed_in = []
    sign_in_failures = []
    measuring_since = []

    def make_user(role):
        class Staff(FastHttpUser):
            wait_time = constant(plan["think"])
            # A busy machine can take long to answer twenty sign-ins at once.
            network_timeout = connection_timeout = 300.0
            weight = ROLE_SHARE[role]
            fixed_count = ROLE_SHARE[role]

            def on_start(self):
                self.n = counters[role]
                counters[role] += 1
                self.client.cookiejar.set_policy(SecureOverLoopback())
                for attempt in range(3):
                    try:
                        log_in(
                            self.client,
                            plan["users"][role],
                            plan["password"],
                            plan["codes"][role].pop(),
                        )
                        break
                    except Exception as exc:  # noqa: BLE001 - reported, then the run stops
                        if attempt == 2:
                            sign_in_failures.append(str(exc))
                            raise StopUser() from exc
                        gevent.sleep(1 + attempt)
                self.turn = 0
                signed_in.append(role)

            def _get(self, name, path):
                with self.client.get(path, name=name, catch_response=True) as response:
                    if response.status_code != 200:
                        response.failure(f"HTTP {response.status_code} for {path}")

            def step(self):
                # Sign-in (a deliberately slow password hash) is not what is measured: every
                # user signs in before anyone starts.
                if len(signed_in) < users_total:
                    gevent.sleep(0.1)
                    return
                if not measuring_since:
                    measuring_since.append(time.monotonic())
                if not queues[role]:
                    raise StopUser()
                page = queues[role].pop()
                self.turn += 1
                if page == "baseline":
                    self._get(page, "/accounts/profile/")
                elif page == "my_caseload":
                    self._get(page, "/people/caseload/")
                elif page == "person":
                    people = plan["long_timelines"]
                    self._get(page, f"/people/{people[self.turn % len(people)]}/")
                elif page == "contact_post":
                    self.log_contact()
                elif page == "triage":
                    self._get(page, "/referrals/triage/")
                elif page == "capacity":
                    self._get(page, "/people/capacity/")
                elif page == "mdt_live":
                    items = plan["agenda_items"]
                    case = items[self.turn % len(items)]
                    self._get(page, f"/mdt/{plan['meeting']}/live/?case={case}")

            def log_contact(self):
                # As from My caseload's inline form (htmx): the answer is the refreshed row.
                people = plan["caseload"]
                person = people[(self.n * 7919 + self.turn) % len(people)]
                now = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 3600))
                with self.client.post(
                    f"/people/{person}/contacts/new/",
                    data={
                        "csrfmiddlewaretoken": _csrf(self.client),
                        "from": "caseload",
                        "submission_key": str(__import__("uuid").uuid4()),
                        "occurred_at": now,
                        "kind": "phone",
                        "duration_minutes": "10",
                        "summary": "Benchmark contact: rang to check in.",
                        "with_person": "on",
                    },
                    headers={"HX-Request": "true", "HX-Target": "row-" + person.replace("-", "")},
                    name="contact_post",
                    catch_response=True,
                ) as response:
                    if response.status_code != 200 or "is-invalid" in (response.text or ""):
                        response.failure(f"contact not logged (HTTP {response.status_code})")

            tasks = [step]

        Staff.__name__ = f"Staff_{role}"
        return Staff

    user_classes = [make_user(role) for role in ROLE_PAGES]
    env = Environment(user_classes=user_classes, host=host, events=events)
    for cls in user_classes:
        cls.host = host
    # Every request says it came through the TLS proxy (see SecureOverLoopback).
    from locust.contrib import fasthttp

    original = fasthttp.FastHttpSession.request

    def through_proxy(self, method, url, headers=None, **kwargs):
        headers = dict(headers or {})
        headers.setdefault("X-Forwarded-Proto", "https")
        headers.setdefault("Referer", host.replace("http://", "https://") + "/")
        return original(self, method, url, headers=headers, **kwargs)

    fasthttp.FastHttpSession.request = through_proxy
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(users_total, spawn_rate=users_total)
    while True:
        gevent.sleep(0.2)
        if not any(queues.values()) and runner.user_count == 0:
            break
        if sign_in_failures:
            errors.extend(f"sign-in: {failure}" for failure in sign_in_failures)
            break
        if time.monotonic() - started > plan["timeout"]:
            errors.append("timed out")
            break
    seconds = time.monotonic() - (measuring_since or [started])[0]
    runner.quit()
    print(
        json.dumps(
            {
                "timings": timings,
                "errors": errors[:20],
                "error_count": len(errors),
                "seconds": seconds,
            }
        )
    )


# --- measuring ------------------------------------------------------------------------------------


class MemorySampler(threading.Thread):
    """The largest resident set of any gunicorn worker, sampled every 0.1 s."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.peak = {}
        self.stop = threading.Event()

    def run(self):
        import psutil

        master = psutil.Process(self.master_pid)
        while not self.stop.wait(0.1):
            try:
                workers = master.children()
            except psutil.Error:
                return
            for worker in workers:
                try:
                    rss = worker.memory_info().rss
                except psutil.Error:
                    continue
                self.peak[worker.pid] = max(self.peak.get(worker.pid, 0), rss)


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    # Nearest-rank: the smallest value with at least q% of the values at or below it.
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def static_up_to_date():
    """collectstatic compresses every file (minutes on a busy machine): skip it when its
    manifest is newer than every source file."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    sources = [ROOT / "static", ROOT / "node_modules" / "bootstrap" / "dist"]
    return all(p.stat().st_mtime <= built for d in sources for p in d.rglob("*") if p.is_file())


def serve(env, port, workers, log_path):
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603 - gunicorn from this environment, fixed args
            [
                str(BIN / "gunicorn"),
                "smd.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"gunicorn exited ({process.returncode}); see {log_path}", 1)
        try:
            # As the TLS proxy in front of it would, or Django redirects to https.
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    fail(f"gunicorn did not answer /healthz within 60 s; see {log_path}", 1)


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument(
        "--seed", type=float, metavar="FACTOR", help="seed_scale an empty database first"
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per page (default 200)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds each user waits between requests"
    )
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn workers (the Dockerfile's 3)"
    )
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    parser.add_argument("--no-return", action="store_true", help="skip the quarterly return")
    parser.add_argument("--factor", help="the factor the database was seeded at, for the targets")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--drive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        return prepare()
    if args.drive:
        return drive(args.drive)

    check_services(args.database_url, args.redis_url)
    workdir = Path(tempfile.mkdtemp(prefix="smd-bench-run-"))
    base_env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "REDIS_URL"}
    }
    env = {
        **base_env,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    print("Migrating the benchmark database ...", flush=True)
    manage(env, "migrate", "--noinput", "-v0", capture=True)
    if args.seed:
        print(f"Seeding at {args.seed:g}x if empty ...", flush=True)
        check = subprocess.run(  # noqa: S603
            [PYTHON, __file__, "--prepare"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if '"error": "no team with people"' in check.stdout:
            manage({**env, "DEBUG": "true"}, "seed_scale", "--factor", f"{args.seed:g}")
    prepared = subprocess.run(  # noqa: S603 - this interpreter and this file
        [PYTHON, __file__, "--prepare"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if prepared.returncode:
        fail(f"preparing the benchmark users failed:\n{prepared.stderr}", 1)
    setup = json.loads(prepared.stdout.strip().splitlines()[-1])
    if "error" in setup:
        fail(
            f"{args.database_url} is not a seeded benchmark database ({setup['error']}).\n"
            "Fill it with: DATABASE_URL=... DEBUG=true .venv/bin/python manage.py seed_scale "
            "--factor 100   (or pass --seed 100)"
        )
    if not static_up_to_date():
        print(
            "Collecting static files (DEBUG off serves hashed, compressed copies) ...", flush=True
        )
        manage(env, "collectstatic", "--noinput", "-v0", capture=True)

    port = free_port(args.port)
    log_path = workdir / "gunicorn.log"
    print(f"Starting gunicorn on 127.0.0.1:{port} with {args.workers} workers ...", flush=True)
    server = serve(env, port, args.workers, log_path)
    sampler = MemorySampler(server.pid)
    sampler.start()
    try:
        plan = {
            **setup,
            "host": f"http://127.0.0.1:{port}",
            "requests": args.requests,
            "think": args.think,
            "seed": 20261122,
            "timeout": 3600,
        }
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan))
        users = sum(ROLE_SHARE.values())
        print(
            f"Driving {users} users ({', '.join(f'{n} {r}' for r, n in ROLE_SHARE.items())}), "
            f"{args.requests} requests per page, {args.think:g} s between a user's requests ...",
            flush=True,
        )
        load_before = os.getloadavg()
        driven = subprocess.run(  # noqa: S603 - this interpreter and this file
            [PYTHON, __file__, "--drive", str(plan_path)],
            cwd=ROOT,
            env=base_env,
            capture_output=True,
            text=True,
        )
        load_after = os.getloadavg()
    finally:
        sampler.stop.set()
        sampler.join()
        stop(server)
    if driven.returncode:
        fail(f"the load run failed:\n{driven.stderr[-4000:]}", 1)
    result = json.loads(driven.stdout.strip().splitlines()[-1])

    returned = None
    if not args.no_return:
        print("Building one quarterly return as the worker does ...", flush=True)
        sys.path.insert(0, str(ROOT / "bench"))
        import returns

        returned = returns.measure_in_child(args.database_url)

    report = summarise(args, setup, result, sampler.peak, returned, load_before, load_after)
    print_table(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    if result["error_count"]:
        print(
            f"\n{result['error_count']} requests failed, e.g.:", *result["errors"][:5], sep="\n  "
        )
        return 1
    return 0


def summarise(args, setup, result, peak, returned, load_before, load_after):
    baseline_p95 = percentile(result["timings"]["baseline"], 95)
    pages = {}
    for name, label in PAGES.items():
        times = result["timings"][name]
        p95 = percentile(times, 95)
        pages[name] = {
            "label": label,
            "requests": len(times),
            "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(p95, 1),
            "mean_ms": round(statistics.fmean(times), 1) if times else None,
            "ratio_p95_to_baseline": round(p95 / baseline_p95, 2),
        }
    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "factor": args.factor,
        "team_people": setup["team_people"],
        "long_timeline_contacts": setup["long_timeline_contacts"],
        "users": sum(ROLE_SHARE.values()),
        "think_seconds": args.think,
        "workers": args.workers,
        "run_seconds": round(result["seconds"], 1),
        "requests_per_second": round(
            sum(p["requests"] for p in pages.values()) / result["seconds"], 1
        ),
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "cpus": os.cpu_count(),
        "pages": pages,
        "worker_peak_rss_mb": round(max(peak.values()) / 2**20, 1) if peak else None,
        "errors": result["error_count"],
        "return": returned,
    }


def print_table(report):
    factor = report["factor"]
    ratio_target = TARGETS["ratio_1"] if factor in {"1", "1x"} else TARGETS["ratio_100"]
    print()
    print(
        f"{report['when']}  {report['team_people']:,} people in the team  "
        f"{report['users']} users, think {report['think_seconds']:g} s, "
        f"{report['workers']} gunicorn workers, {report['run_seconds']} s, "
        f"{report['requests_per_second']} req/s, load average {report['load_average_before_after'][0]}"
        f" -> {report['load_average_before_after'][1]} on {report['cpus']} CPUs"
    )
    print()
    print(f"{'page':<30} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p95/base':>9}  target")
    for name, page in report["pages"].items():
        if name == "baseline":
            verdict = ""
        else:
            limit = TARGETS["contact_post_p95_ms"] if name == "contact_post" else TARGETS["p95_ms"]
            ok = page["ratio_p95_to_baseline"] <= ratio_target and page["p95_ms"] < limit
            verdict = f"{'met' if ok else 'MISSED'} (<= {ratio_target:g}x, < {limit} ms)"
        print(
            f"{page['label']:<30} {page['requests']:>8} {page['p50_ms']:>8.1f} "
            f"{page['p95_ms']:>8.1f} {page['ratio_p95_to_baseline']:>8.2f}x  {verdict}"
        )
    rss = report["worker_peak_rss_mb"]
    print()
    print(
        f"web worker peak RSS: {rss} MB  "
        f"({'met' if rss is not None and rss < TARGETS['worker_mb'] else 'MISSED'}: < {TARGETS['worker_mb']} MB)"
    )
    returned = report["return"]
    if returned:
        print(
            f"one quarterly return: {returned['total_seconds']} s (build {returned['build_seconds']} s, "
            f"PDF {returned['pdf_seconds']} s), {returned['queries']} queries, "
            f"peak {returned['peak_rss_mb']} MB  "
            f"({'met' if returned['total_seconds'] < TARGETS['return_s'] else 'MISSED'}: < {TARGETS['return_s']} s)"
        )


if __name__ == "__main__":
    sys.exit(main())
