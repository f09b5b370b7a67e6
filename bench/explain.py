"""Query plans of the benchmarked pages: every SELECT each page issues, run again under
EXPLAIN ANALYZE, with the slowest plans printed in full.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smd_bench .venv/bin/python bench/explain.py

It signs in the same users bench/run.py picks (in-process, with Django's test client), opens
each page once to warm up and once to capture its queries, logs one contact, and for each query
prints its execution time and whether any table was read in full (a Seq Scan). Plans slower
than --full-ms (default 5 ms) are printed whole. Read-only apart from the one contact.
"""

import argparse
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full-ms", type=float, default=5.0)
    args = parser.parse_args()
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "explain-only-" + "x" * 40}
    prepared = subprocess.run(  # noqa: S603 - this interpreter and bench/run.py
        [sys.executable, str(ROOT / "bench" / "run.py"), "--prepare"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    setup = json.loads(prepared.stdout.strip().splitlines()[-1])
    os.environ.update(env, ALLOWED_HOSTS="testserver")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smd.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from smd.models import User

    person = setup["long_timelines"][0]
    pages = [
        ("navigator", "Baseline: your account", "get", "/accounts/profile/"),
        ("navigator", "My caseload", "get", "/people/caseload/"),
        ("navigator", "Person page, long timeline", "get", f"/people/{person}/"),
        (
            "navigator",
            "Log a contact (POST)",
            "post",
            f"/people/{setup['caseload'][0]}/contacts/new/",
        ),
        ("team_leader", "Triage queue", "get", "/referrals/triage/"),
        ("manager", "Team capacity", "get", "/people/capacity/"),
        (
            "mdt_chair",
            "MDT live screen",
            "get",
            f"/mdt/{setup['meeting']}/live/?case={setup['agenda_items'][0]}",
        ),
    ]
    clients = {}
    for role, label, method, path in pages:
        if role not in clients:
            clients[role] = Client(HTTP_X_FORWARDED_PROTO="https")
            clients[role].force_login(User.objects.get(username=setup["users"][role]))
        client = clients[role]
        if method == "get":
            client.get(path)
            with CaptureQueriesContext(connection) as ctx:
                status = client.get(path).status_code
        else:
            data = {
                "from": "caseload",
                "submission_key": str(uuid.uuid4()),
                "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "kind": "phone",
                "duration_minutes": "10",
                "summary": "Query plan check.",
                "with_person": "on",
            }
            with CaptureQueriesContext(connection) as ctx:
                status = client.post(path, data, HTTP_HX_REQUEST="true").status_code
        print(f"\n=== {label}: HTTP {status}, {len(ctx.captured_queries)} queries")
        with connection.cursor() as cursor:
            for query in ctx.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    print(f"  {'':>8}  {sql[:100]}")
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
                took = float(plan[-1].split(":")[1].split()[0])
                seq = sorted(
                    {line.split(" on ")[1].split()[0] for line in plan if "Seq Scan on" in line}
                )
                flag = f"  Seq Scan: {', '.join(seq)}" if seq else ""
                print(f"  {took:7.2f} ms  {sql[:100]}{flag}")
                if took >= args.full_ms:
                    print("\n".join("      " + line for line in plan))


if __name__ == "__main__":
    main()
