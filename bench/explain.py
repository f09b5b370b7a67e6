"""Query plans of the benchmarked pages: every SELECT each page issues, run again under
EXPLAIN ANALYZE, with the slowest plans printed in full.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smd_bench .venv/bin/python bench/explain.py

It signs in the same users bench/run.py picks, second factor given, as bench/pages.py does
(in-process, with Django's test client), opens each page once to warm up and once to capture
its queries, logs one contact, and for each query
prints its execution time and whether any table was read in full (a Seq Scan). Plans slower
than --full-ms (default 5 ms) are printed whole. Read-only apart from the one contact.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full-ms", type=float, default=5.0)
    args = parser.parse_args()
    from bench.pages import set_up_django

    set_up_django()
    from bench.run import pick

    setup = pick()
    if "error" in setup:
        raise SystemExit(f"bench/explain.py: {setup['error']} (seed with manage.py seed_scale)")
    explain(setup, full_ms=args.full_ms)


def explain(setup, full_ms=5.0, out=None):
    """Print every query of every benchmarked page with its EXPLAIN ANALYZE time; return
    {page label: [(milliseconds, sql), ...]} (PostgreSQL only). Signed in as bench/pages.py
    signs in, second factor given: a page that answers anything but 200 stops it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.pages import check, pages, signed_in

    out = out or sys.stdout
    plans = {}
    clients = {}
    for n, page in enumerate(pages(setup)):
        if page.role not in clients:
            clients[page.role] = signed_in(setup["users"][page.role])
        client = clients[page.role]
        if page.method == "get":
            check(page, page.request(client, setup))  # warm up
        with CaptureQueriesContext(connection) as ctx:
            response = page.request(client, setup, n=n)
        check(page, response)
        print(f"\n=== {page.label}: HTTP 200, {len(ctx.captured_queries)} queries", file=out)
        plans[page.label] = []
        with connection.cursor() as cursor:
            for query in ctx.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    print(f"  {'':>8}  {sql[:100]}", file=out)
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
                took = float(plan[-1].split(":")[1].split()[0])
                plans[page.label].append((took, sql))
                seq = sorted(
                    {line.split(" on ")[1].split()[0] for line in plan if "Seq Scan on" in line}
                )
                flag = f"  Seq Scan: {', '.join(seq)}" if seq else ""
                print(f"  {took:7.2f} ms  {sql[:100]}{flag}", file=out)
                if took >= full_ms:
                    print("\n".join("      " + line for line in plan), file=out)
    return plans


if __name__ == "__main__":
    main()
