"""Benchmark: one team's quarterly return at 1×, 10× and 100× one city's volumes.

For each factor this makes its own PostgreSQL database (smd_bench_<factor>), migrates it, fills
it with `manage.py seed_scale --factor N`, then builds the return for the latest complete
quarter several times, each in a fresh process, the way the Celery task does:
build_return, then the PDF and the CSV. It reports the time of each part, the SQL queries
issued, and the process's peak resident memory (ru_maxrss, read by the parent from wait4: what
a worker would need). Results and the commands are written up in docs/performance.md.

    .venv/bin/python bench/returns.py --factor 1 --factor 10 --factor 100

Options: --server (default postgres://postgres@127.0.0.1:5432), --runs (default 3), --keep
(leave the databases; they are dropped by default), --reuse (measure an existing database
without seeding it again), --json FILE (write every measurement).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECTIONS = [
    "caseload_and_capacity",
    "referrals",
    "outcomes",
    "mdt",
    "information_sharing",
    "equity",
    "data_quality",
]


def database_name(factor):
    return f"smd_bench_{factor:g}".replace(".", "_")


def admin(server, sql, params=None):
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE cannot
    run in a transaction)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def exists(server, name):
    return bool(admin(server, "SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def manage(url, *args, log=None):
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    return subprocess.run(  # noqa: S603 - this interpreter and manage.py, fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, stdout=log
    )


def seed(server, factor, log_dir):
    name = database_name(factor)
    url = f"{server}/{name}"
    admin(server, f'DROP DATABASE IF EXISTS "{name}"')
    admin(server, f'CREATE DATABASE "{name}"')
    log_path = log_dir / f"seed-{name}.log"
    with log_path.open("w") as log:
        manage(url, "migrate", "--noinput", "-v0", log=log)
        started = time.monotonic()
        manage(url, "seed_scale", "--factor", f"{factor:g}", log=log)
        seconds = time.monotonic() - started
    size = admin(server, "SELECT pg_database_size(%s)", [name])[0][0]
    print(f"  seeded {name} in {seconds:.1f} s ({size / 2**30:.2f} GiB); log: {log_path}")
    return {"seed_seconds": round(seconds, 1), "database_bytes": size}


def measure_in_child(url):
    """Run one measurement in a fresh process; its peak RSS comes from wait4, not itself."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        # A worker runs with DEBUG off (Django then keeps no query log) and a real key.
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-not-a-secret"),
        "CONN_MAX_AGE": "0",
    }
    child = subprocess.Popen(  # noqa: S603 - this interpreter and this file
        [PYTHON, __file__, "--measure"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"measurement failed ({child.returncode}):\n{out}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux reports kilobytes
    return result


def measure():
    """The child: build one return as the task does, timing each part and counting queries."""
    import resource

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smd.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone
    from weasyprint import HTML

    from returns.figures import Return
    from returns.render import to_csv, to_pdf
    from returns.tasks import figures_as_data
    from smd.models import Team
    from smd.quarters import Quarter

    # A worker has rendered PDFs before: fonts and styles are loaded once per process.
    HTML(string="<p>warm</p>").write_pdf()
    team = max(Team.objects.all(), key=lambda t: t.people.count())
    quarter = Quarter.containing(timezone.localdate()).previous()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    queries = []

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            # Only a prefix of the SQL is kept: some queries carry thousands of ids.
            queries.append((time.perf_counter() - started, sql[:160]))

    timings, section_queries = {}, {}
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = Return(team, quarter)
        timings["people_map"] = time.perf_counter() - started
        for name in SECTIONS:
            before, t0 = len(queries), time.perf_counter()
            getattr(result, name)()
            timings[name] = time.perf_counter() - t0
            section_queries[name] = len(queries) - before
        build = time.perf_counter() - started
        build_queries = len(queries)
        t0 = time.perf_counter()
        figures = figures_as_data(result)
        pdf = to_pdf(figures, quarter=quarter, team=team, version="bench")
        pdf_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        text = to_csv(figures, quarter=quarter, team=team)
        csv_seconds = time.perf_counter() - t0
    active = next(f for f in result.figures if f.key == "active_at_end").values["all"]
    slowest = sorted(queries, reverse=True)[:5]
    print(
        json.dumps(
            {
                "team": team.name,
                "quarter": quarter.label,
                "people": team.people.count(),
                "active_at_end": active,
                "figures": len(figures),
                "build_seconds": round(build, 2),
                "pdf_seconds": round(pdf_seconds, 2),
                "csv_seconds": round(csv_seconds, 3),
                "total_seconds": round(build + pdf_seconds + csv_seconds, 2),
                "sections": {k: round(v, 2) for k, v in timings.items()},
                "section_queries": section_queries,
                "queries": build_queries,
                "queries_total": len(queries),
                "pdf_bytes": len(pdf),
                "csv_bytes": len(text),
                "rss_before_build_mb": round(rss_before, 1),
                "slowest_queries": [[round(s, 3), sql] for s, sql in slowest],
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=float, action="append", help="repeat: 1, 10, 100")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure an existing database")
    parser.add_argument("--json", type=Path, help="write every measurement to this file")
    parser.add_argument("--log-dir", type=Path, default=Path(tempfile.gettempdir()) / "smd-bench")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    report = []
    for factor in args.factor or [1, 10, 100]:
        name = database_name(factor)
        url = f"{args.server}/{name}"
        print(f"{factor:g}×: database {name}", flush=True)
        entry = {"factor": factor}
        if args.reuse and exists(args.server, name):
            print("  reusing it as it is")
        else:
            entry.update(seed(args.server, factor, args.log_dir))
        runs = []
        for n in range(args.runs):
            run = measure_in_child(url)
            runs.append(run)
            print(
                f"  run {n + 1}: build {run['build_seconds']} s, PDF {run['pdf_seconds']} s, "
                f"CSV {run['csv_seconds']} s, {run['queries']} queries, "
                f"peak RSS {run['peak_rss_mb']} MB",
                flush=True,
            )
        entry["runs"] = runs
        report.append(entry)
        if not args.keep:
            admin(args.server, f'DROP DATABASE IF EXISTS "{name}"')
    print()
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def table(report):
    lines = [
        "| factor | people | active at quarter end | seed (s) | build (s) | PDF (s) | CSV (s) "
        "| total (s) | queries | peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for entry in report:
        runs = entry["runs"]

        def median(key, runs=runs):
            return round(statistics.median(r[key] for r in runs), 2)

        queries = sorted({r["queries"] for r in runs})
        lines.append(
            f"| {entry['factor']:g}× | {runs[0]['people']:,} | {runs[0]['active_at_end']:,} "
            f"| {entry.get('seed_seconds', '–')} | {median('build_seconds')} "
            f"| {median('pdf_seconds')} | {median('csv_seconds')} | {median('total_seconds')} "
            f"| {'/'.join(map(str, queries))} | {max(r['peak_rss_mb'] for r in runs)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
