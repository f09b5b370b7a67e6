"""Benchmark: the quarterly return's figures built on a streaming replica, against its primary.

Makes a primary and its streaming replica from the machine's PostgreSQL binaries, as the tests
do (tests/replica_pair.py), copies a seeded benchmark database (smd_bench_<factor>, left by
`bench/returns.py --keep`) into the primary with pg_dump | pg_restore, waits for the replica to
replay it, then builds the largest team's figures for the last complete quarter, alternately on
the primary and inside `smd.replica.reports()` (the return build's context) on the replica,
--runs times each. It reports the copy's time, how long the replica took to replay it, each
build's time and where its queries ran, and whether the figures agree. Needs root (initdb runs
as the postgres user). The pair is removed at the end.

    .venv/bin/python bench/replica.py --factor 1

Options: --server (where smd_bench_<factor> is; default postgres://postgres@127.0.0.1:5432),
--runs (default 3), --json FILE (write every measurement).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import replica_pair  # noqa: E402 - after the path is set


def copy(server, factor, pair):
    source = urlsplit(server)
    name = f"smd_bench_{factor:g}".replace(".", "_")
    dump = subprocess.Popen(  # noqa: S603 - fixed programs and arguments
        [replica_pair.BIN / "pg_dump", "-Fc", "-h", source.hostname, "-p", str(source.port or 5432)]
        + ["-U", source.username or "postgres", name],
        stdout=subprocess.PIPE,
    )
    subprocess.run(  # noqa: S603
        [replica_pair.BIN / "pg_restore", "--no-owner", "-h", "127.0.0.1"]
        + ["-p", str(pair.primary_port), "-U", "postgres", "-d", replica_pair.DATABASE],
        stdin=dump.stdout,
        check=True,
    )
    if dump.wait() != 0:
        raise SystemExit(f"pg_dump of {name} failed: make it with bench/returns.py --keep")


def wait_for_replay():
    """Seconds until the replica has replayed all the primary has written now."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        position = cursor.fetchone()[0]
    started = time.monotonic()
    while True:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            if cursor.fetchone()[0]:
                return time.monotonic() - started
        time.sleep(0.05)


def build(where):
    """One build of the figures, on the primary or (inside reports()) on the replica."""
    from contextlib import nullcontext

    from django.db import connections
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from returns.figures import build_return
    from returns.tasks import figures_as_data
    from smd.models import Team
    from smd.quarters import Quarter
    from smd.replica import reports

    team = Team.objects.annotate(n=Count("people")).order_by("-n").first()
    quarter = Quarter.containing(timezone.localdate()).previous()
    context = reports(up_to_date_within=30) if where == "replica" else nullcontext("default")
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        started = time.monotonic()
        with context as alias:
            figures = figures_as_data(build_return(team, quarter))
        seconds = time.monotonic() - started
    return {
        "where": where,
        "alias": alias,
        "seconds": seconds,
        "queries_on_primary": len(on_primary),
        "queries_on_replica": len(on_replica),
        "figures": figures,
        "team_people": team.n,
        "quarter": quarter.label,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, default=1)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    reason = replica_pair.missing()
    if reason:
        raise SystemExit(f"Cannot make a primary and replica here: {reason}")

    pair = replica_pair.Pair()
    report = {"factor": args.factor}
    try:
        started = time.monotonic()
        pair.up()
        report["pair_up_seconds"] = time.monotonic() - started
        started = time.monotonic()
        copy(args.server, args.factor, pair)
        report["copy_seconds"] = time.monotonic() - started

        os.environ["DJANGO_SETTINGS_MODULE"] = "smd.settings"
        os.environ["DATABASE_URL"] = (
            f"postgres://postgres@127.0.0.1:{pair.primary_port}/{replica_pair.DATABASE}"
        )
        os.environ["REPLICA_DATABASE_URL"] = (
            f"postgres://postgres@127.0.0.1:{pair.standby_port}/{replica_pair.DATABASE}"
        )
        os.environ.setdefault("DEBUG", "true")
        import django

        django.setup()
        from django.db import connections

        report["replay_after_copy_seconds"] = wait_for_replay()
        runs = []
        for _ in range(args.runs):
            for where in ("primary", "replica"):
                runs.append(build(where))
                connections.close_all()
        first = runs[0]["figures"]
        report["figures_agree"] = all(run["figures"] == first for run in runs)
        report["runs"] = [{k: v for k, v in run.items() if k != "figures"} for run in runs]
    finally:
        pair.down()

    print(
        f"factor {args.factor:g}: pair up {report['pair_up_seconds']:.1f} s, copied in "
        f"{report['copy_seconds']:.1f} s, replayed {report['replay_after_copy_seconds']:.2f} s "
        f"after; {report['runs'][0]['team_people']} people, {report['runs'][0]['quarter']}"
    )
    print("| built on | median (s) | runs (s) | queries on primary | queries on replica |")
    print("|---|---|---|---|---|")
    for where in ("primary", "replica"):
        mine = [r for r in report["runs"] if r["where"] == where]
        times = [r["seconds"] for r in mine]
        print(
            f"| {where} (alias {mine[0]['alias']}) | {statistics.median(times):.2f} | "
            f"{', '.join(f'{t:.2f}' for t in times)} | {mine[0]['queries_on_primary']} | "
            f"{mine[0]['queries_on_replica']} |"
        )
    print(f"figures agree on every run: {report['figures_agree']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
