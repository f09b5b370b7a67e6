"""Benchmark: one team's quarterly return at 1×, 10× and 100× one city's volumes.

For each factor this makes its own PostgreSQL database (smd_bench_<factor>), migrates it, fills
it with `manage.py seed_scale --factor N`, then builds the return for the latest complete
quarter several times, each in a fresh process, the way the Celery task does:
build_return, then the PDF and the CSV. It reports the time of each part, the SQL queries
issued, and the process's peak resident memory (ru_maxrss, read by the parent from wait4: what
a worker would need). In the same process it then runs the return's main aggregates written as
plain SQL (FLOOR below: what the database alone needs for them), and reports the build's time
as a multiple of theirs, a ratio that holds when other work shares the machine and slows both.
Results and the commands are written up in docs/performance.md.

    .venv/bin/python bench/returns.py --factor 1 --factor 10 --factor 100

Options: --server (default postgres://postgres@127.0.0.1:5432), --runs (default 3), --keep
(leave the databases; they are dropped by default), --reuse (measure an existing database
without seeding it again, and leave it), --json FILE (write every measurement).
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
# Every section `Return.build` runs, in its order.
SECTIONS = [
    "caseload_and_capacity",
    "team_capacity",
    "referrals",
    "outcomes",
    "mdt",
    "domestic_abuse",
    "information_sharing",
    "equity",
    "data_quality",
]
# The return's main aggregates as plain SQL, one statement each, for the same team and quarter:
# the floor a build is measured against. Each asks the database for the figures themselves
# (counts, sums and means; first and latest per person in window passes), not for the people
# behind them, so it leaves out the work of splitting every figure by equity group.
FLOOR = [
    """
-- characteristics the splits need
SELECT gender, ethnicity, disability, COUNT(*), MIN(date_of_birth), MAX(approximate_age) FROM caseload_person WHERE team_id = %(team)s GROUP BY 1, 2, 3
""",
    """
-- caseload: active at end, starts, endings by destination, days on service
SELECT COUNT(*) FILTER (WHERE e.start_date <= %(end)s AND (e.end_date IS NULL OR e.end_date > %(end)s)) AS active,
       COUNT(*) FILTER (WHERE e.start_date BETWEEN %(start)s AND %(end)s) AS starts,
       COUNT(*) FILTER (WHERE e.status = 'closed' AND e.end_date BETWEEN %(start)s AND %(end)s) AS ended,
       AVG(COALESCE(e.end_date, %(end)s) - e.start_date) FILTER (WHERE e.start_date <= %(end)s AND (e.end_date IS NULL OR e.end_date > %(end)s OR (e.status = 'closed' AND e.end_date >= %(start)s))) AS days
FROM caseload_episode e JOIN caseload_person p ON p.id = e.person_id WHERE p.team_id = %(team)s
""",
    """
SELECT e.exit_destination, COUNT(*) FROM caseload_episode e JOIN caseload_person p ON p.id = e.person_id WHERE p.team_id = %(team)s AND e.status = 'closed' AND e.end_date BETWEEN %(start)s AND %(end)s GROUP BY 1
""",
    """
-- allocations held at the end and during the quarter
SELECT a.kind, COUNT(*) FILTER (WHERE a.ended_at IS NULL OR a.ended_at > %(hi)s), COUNT(DISTINCT e.person_id)
FROM caseload_allocation a JOIN caseload_episode e ON e.id = a.episode_id JOIN caseload_person p ON p.id = e.person_id
WHERE p.team_id = %(team)s AND a.started_at <= %(hi)s AND (a.ended_at IS NULL OR a.ended_at >= %(lo)s) GROUP BY 1
""",
    """
-- referrals by month and source; decisions by outcome, days to decision
SELECT date_trunc('month', r.created_at), r.is_self_referral, COALESCE(o.name, r.referrer_organisation_name), o.sector, COUNT(*)
FROM referrals_referral r LEFT JOIN smd_organisation o ON o.id = r.referrer_organisation_id
WHERE r.team_id = %(team)s AND r.created_at BETWEEN %(lo)s AND %(hi)s GROUP BY 1, 2, 3, 4
""",
    """
SELECT d.outcome, COUNT(*), AVG(EXTRACT(DAY FROM d.decided_at - r.created_at)) FROM referrals_eligibilitydecision d JOIN referrals_referral r ON r.id = d.referral_id
WHERE r.team_id = %(team)s AND d.decided_at BETWEEN %(lo)s AND %(hi)s GROUP BY 1
""",
    """
-- NDT: baseline and latest of each episode supported in the quarter, standard and amended, in one window pass
WITH supported AS (
  SELECT e.id FROM caseload_episode e JOIN caseload_person p ON p.id = e.person_id
  WHERE p.team_id = %(team)s AND COALESCE(e.start_date, e.accepted_on) <= %(end)s AND (e.end_date IS NULL OR e.end_date >= %(start)s)),
ranked AS (
  SELECT a.episode_id, a.total, a.standard_total, s.comparable_to_id IS NOT NULL AS amended,
         ROW_NUMBER() OVER (PARTITION BY a.episode_id ORDER BY a.assessed_on, a.created_at) AS n,
         COUNT(*) OVER (PARTITION BY a.episode_id) AS of,
         FIRST_VALUE(a.standard_total) OVER (PARTITION BY a.episode_id ORDER BY a.assessed_on, a.created_at) AS baseline
  FROM assessments_assessment a JOIN assessments_assessmentscheme s ON s.id = a.scheme_id
  WHERE a.status = 'completed' AND a.assessed_on <= %(end)s AND a.episode_id IN (SELECT id FROM supported))
SELECT COUNT(*), AVG(baseline), AVG(standard_total), AVG(standard_total - baseline), COUNT(*) FILTER (WHERE standard_total < baseline)
FROM ranked WHERE n = of AND of >= 2
""",
    """
WITH supported AS (
  SELECT e.id FROM caseload_episode e JOIN caseload_person p ON p.id = e.person_id
  WHERE p.team_id = %(team)s AND COALESCE(e.start_date, e.accepted_on) <= %(end)s AND (e.end_date IS NULL OR e.end_date >= %(start)s)),
ranked AS (
  SELECT a.episode_id, a.total,
         ROW_NUMBER() OVER (PARTITION BY a.episode_id ORDER BY a.assessed_on, a.created_at) AS n,
         COUNT(*) OVER (PARTITION BY a.episode_id) AS of,
         FIRST_VALUE(a.total) OVER (PARTITION BY a.episode_id ORDER BY a.assessed_on, a.created_at) AS baseline
  FROM assessments_assessment a JOIN assessments_assessmentscheme s ON s.id = a.scheme_id
  WHERE a.status = 'completed' AND a.assessed_on <= %(end)s AND s.comparable_to_id IS NOT NULL AND a.episode_id IN (SELECT id FROM supported))
SELECT COUNT(*), AVG(baseline), AVG(total), AVG(total - baseline), COUNT(*) FILTER (WHERE total < baseline)
FROM ranked WHERE n = of AND of >= 2
""",
    """
-- ReQoL-10 first and latest
WITH ranked AS (
  SELECT r.person_id, r.total, ROW_NUMBER() OVER (PARTITION BY r.person_id ORDER BY r.completed_on DESC, r.created_at DESC) AS n,
         COUNT(*) OVER (PARTITION BY r.person_id) AS of,
         FIRST_VALUE(r.total) OVER (PARTITION BY r.person_id ORDER BY r.completed_on, r.created_at) AS first
  FROM assessments_reqolrecord r JOIN caseload_person p ON p.id = r.person_id WHERE p.team_id = %(team)s AND r.completed_on <= %(end)s)
SELECT COUNT(*), AVG(total - first), COUNT(*) FILTER (WHERE total > first) FROM ranked WHERE n = 1 AND of >= 2
""",
    """
-- service events: this quarter against each active person's first quarter
WITH active AS (
  SELECT DISTINCT e.person_id FROM caseload_episode e JOIN caseload_person p ON p.id = e.person_id
  WHERE p.team_id = %(team)s AND e.start_date <= %(end)s AND (e.end_date IS NULL OR e.end_date > %(end)s)),
starts AS (
  SELECT DISTINCT ON (e.person_id) e.person_id, date_trunc('quarter', COALESCE(e.start_date, e.accepted_on)) AS first
  FROM caseload_episode e WHERE e.person_id IN (SELECT person_id FROM active) ORDER BY e.person_id, e.accepted_on, e.created_at)
SELECT v.kind, SUM(v.quantity) FILTER (WHERE date_trunc('quarter', v.occurred_on) = s.first),
       SUM(v.quantity) FILTER (WHERE v.occurred_on BETWEEN %(start)s AND %(end)s), COUNT(DISTINCT v.person_id)
FROM caseload_serviceevent v JOIN starts s ON s.person_id = v.person_id
WHERE s.first < date_trunc('quarter', %(start)s::date)
  AND (date_trunc('quarter', v.occurred_on) = s.first OR v.occurred_on BETWEEN %(start)s AND %(end)s)
GROUP BY 1
""",
    """
-- accommodation at quarter end of the active people
WITH active AS (
  SELECT DISTINCT e.person_id FROM caseload_episode e JOIN caseload_person p ON p.id = e.person_id
  WHERE p.team_id = %(team)s AND e.start_date <= %(end)s AND (e.end_date IS NULL OR e.end_date > %(end)s))
SELECT status, COUNT(*) FROM (
  SELECT DISTINCT ON (c.person_id) c.status FROM caseload_accommodationchange c
  WHERE c.person_id IN (SELECT person_id FROM active) AND c.from_date <= %(end)s
  ORDER BY c.person_id, c.from_date DESC, c.created_at DESC) latest GROUP BY 1
""",
    """
-- personal budgets offered and spent
SELECT COUNT(DISTINCT b.person_id), SUM(b.amount_offered), (SELECT SUM(s.amount) FROM caseload_budgetspend s JOIN caseload_personalbudget b2 ON b2.id = s.budget_id JOIN caseload_person p2 ON p2.id = b2.person_id WHERE p2.team_id = %(team)s AND s.spent_on BETWEEN %(start)s AND %(end)s)
FROM caseload_personalbudget b JOIN caseload_person p ON p.id = b.person_id WHERE p.team_id = %(team)s AND b.offered_on <= %(end)s
""",
    """
-- data quality: latest NDT of each active episode; no contact in 28 days
SELECT COUNT(*) FILTER (WHERE x.latest IS NULL), COUNT(*) FILTER (WHERE x.latest < %(end)s::date - 91) FROM (
  SELECT e.id, MAX(a.assessed_on) AS latest
  FROM caseload_episode e JOIN caseload_person p ON p.id = e.person_id
  LEFT JOIN assessments_assessment a ON a.episode_id = e.id AND a.status = 'completed' AND a.assessed_on <= %(end)s
  WHERE p.team_id = %(team)s AND e.start_date <= %(end)s AND (e.end_date IS NULL OR e.end_date > %(end)s) GROUP BY e.id) x
""",
    """
SELECT COUNT(*) FROM caseload_episode e JOIN caseload_person p ON p.id = e.person_id
WHERE p.team_id = %(team)s AND e.start_date <= %(end)s::date - 27 AND (e.end_date IS NULL OR e.end_date > %(end)s)
  AND NOT EXISTS (SELECT 1 FROM caseload_contact c WHERE c.person_id = e.person_id AND c.kind <> 'attempted' AND c.occurred_at BETWEEN %(lo)s - interval '27 days' AND %(hi)s)
""",
    """
-- equity: characteristics recorded among the active
SELECT COUNT(*), COUNT(*) FILTER (WHERE p.gender <> 'not_known'), COUNT(*) FILTER (WHERE p.ethnicity <> 'not_known'),
       COUNT(*) FILTER (WHERE p.sexual_orientation <> 'not_known'), COUNT(*) FILTER (WHERE p.religion <> 'not_known'), COUNT(*) FILTER (WHERE p.disability <> 'not_known')
FROM caseload_person p WHERE p.id IN (SELECT e.person_id FROM caseload_episode e JOIN caseload_person p ON p.id = e.person_id
  WHERE p.team_id = %(team)s AND e.start_date <= %(end)s AND (e.end_date IS NULL OR e.end_date > %(end)s))
""",
    """
-- MDT: meetings held, cases discussed, actions agreed and done
SELECT COUNT(DISTINCT m.id), COUNT(DISTINCT i.id), COUNT(x.id), COUNT(x.id) FILTER (WHERE x.done_at <= %(hi)s)
FROM mdt_mdtmeeting m LEFT JOIN mdt_agendaitem i ON i.meeting_id = m.id LEFT JOIN mdt_action x ON x.agenda_item_id = i.id
WHERE m.team_id = %(team)s AND m.status = 'held' AND m.starts_at BETWEEN %(lo)s AND %(hi)s
""",
    """
-- domestic abuse: DASH checklists in the quarter by risk
SELECT d.risk_level, COUNT(*) FROM domestic_abuse_dashchecklist d JOIN caseload_person p ON p.id = d.person_id
WHERE p.team_id = %(team)s AND d.completed_on BETWEEN %(start)s AND %(end)s GROUP BY 1
""",
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
        started, cpu = time.perf_counter(), time.process_time()
        result = Return(team, quarter)
        timings["people_map"] = time.perf_counter() - started
        for name in SECTIONS:
            before, t0 = len(queries), time.perf_counter()
            getattr(result, name)()
            timings[name] = time.perf_counter() - t0
            section_queries[name] = len(queries) - before
        build = time.perf_counter() - started
        # This process's own CPU: the Python part of the build, which a busy machine does not
        # stretch as it stretches the wall clock.
        build_cpu = time.process_time() - cpu
        build_queries = len(queries)
        t0 = time.perf_counter()
        figures = figures_as_data(result)
        pdf = to_pdf(figures, quarter=quarter, team=team, version="bench")
        pdf_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        text = to_csv(figures, quarter=quarter, team=team)
        csv_seconds = time.perf_counter() - t0
    floor = floor_seconds(connection, team, result)
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
                "build_cpu_seconds": round(build_cpu, 2),
                # Waiting on the database in the build (each statement until its first rows).
                "build_sql_seconds": round(sum(s for s, _ in queries[:build_queries]), 2),
                "floor_seconds": round(floor, 3),
                "build_to_floor": round(build / floor, 1),
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


def floor_seconds(connection, team, result):
    """Run the plain-SQL aggregates once to warm them as the build warmed its own, then time a
    second pass."""
    params = {
        "team": team.pk,
        "start": result.start,
        "end": result.end,
        "lo": result.lo,
        "hi": result.hi,
    }
    with connection.cursor() as cursor:
        for sql in FLOOR:
            cursor.execute(sql, params)
            cursor.fetchall()
        started = time.perf_counter()
        for sql in FLOOR:
            cursor.execute(sql, params)
            cursor.fetchall()
        return time.perf_counter() - started


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
                f"  run {n + 1}: build {run['build_seconds']} s (plain SQL "
                f"{run['floor_seconds']} s, ×{run['build_to_floor']}), PDF {run['pdf_seconds']} s, "
                f"CSV {run['csv_seconds']} s, {run['queries']} queries, "
                f"peak RSS {run['peak_rss_mb']} MB",
                flush=True,
            )
        entry["runs"] = runs
        report.append(entry)
        if not args.keep and "seed_seconds" in entry:  # never drop a database it did not make
            admin(args.server, f'DROP DATABASE IF EXISTS "{name}"')
    print()
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def table(report):
    lines = [
        "| factor | people | active at quarter end | seed (s) | build (s) | plain SQL (s) "
        "| build ÷ plain SQL | PDF (s) | CSV (s) | total (s) | queries | peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for entry in report:
        runs = entry["runs"]

        def median(key, runs=runs):
            return round(statistics.median(r[key] for r in runs), 2)

        queries = sorted({r["queries"] for r in runs})
        lines.append(
            f"| {entry['factor']:g}× | {runs[0]['people']:,} | {runs[0]['active_at_end']:,} "
            f"| {entry.get('seed_seconds', '–')} | {median('build_seconds')} "
            f"| {median('floor_seconds')} | {median('build_to_floor')} "
            f"| {median('pdf_seconds')} | {median('csv_seconds')} | {median('total_seconds')} "
            f"| {'/'.join(map(str, queries))} | {max(r['peak_rss_mb'] for r in runs)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
