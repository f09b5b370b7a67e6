"""Reports on a read replica (smd/replica.py, ADR 0034).

Without a replica everything reads from the primary, and one that cannot be reached is passed
over without the user seeing an error. The rest runs against a real primary and its streaming
replica, made for the run from the machine's PostgreSQL binaries (tests/replica_pair.py): the
schema streams to the replica, the return, the extract, a figures page and an API call read
there and agree with the primary, and writes (the return's own row, the audit log) stay on the
primary."""

import json
import logging
import os
import subprocess
import sys
import time
from datetime import date

import pytest
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.models import Person
from returns import services as returns
from returns.extract.selectors import extract_rows
from returns.figures import build_return
from returns.models import QuarterlyReturn
from returns.tasks import figures_as_data
from smd import replica
from smd.audit.models import AuditEvent
from smd.models import Organisation, Role
from smd.quarters import Quarter
from tests import replica_pair
from tests.api.conftest import make_token
from tests.conftest import sign_in
from tests.factories import EpisodeFactory, PersonFactory, TeamFactory, UserFactory

Q2 = Quarter(2025, 2)  # 1 July to 30 September 2025
ROUTER = replica.ReplicaRouter()


def test_without_a_replica_a_report_reads_from_the_primary(monkeypatch):
    monkeypatch.delitem(connections.settings, "replica", raising=False)
    with replica.reports() as alias:
        assert alias == "default"
        assert ROUTER.db_for_read(Person) == "default"
    assert ROUTER.db_for_write(Person) == "default"


def test_a_replica_url_adds_an_alias_that_mirrors_the_primary_under_test():
    code = (
        "import json, smd.settings as s; r = s.DATABASES['replica']; "
        "print(json.dumps([r['HOST'], r['PORT'], r['NAME'], r['TEST'], s.DATABASE_ROUTERS]))"
    )
    env = {**os.environ, "REPLICA_DATABASE_URL": "postgres://reader@standby.internal:5433/smd"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [
        "standby.internal",
        5433,
        "smd",
        {"MIRROR": "default"},
        ["smd.replica.ReplicaRouter"],
    ]


# --- A real primary and streaming replica --------------------------------------------------


@pytest.fixture(scope="session")
def pair(django_db_blocker):
    """A primary and its streaming replica with the schema migrated on the primary, for the
    session; stopped and removed at its end."""
    reason = replica_pair.missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true, so this test may not skip: {reason}")
        pytest.skip(f"needs a PostgreSQL primary and replica: {reason}")
    made = replica_pair.Pair()
    try:
        started = time.monotonic()
        made.up()
        made.up_seconds = time.monotonic() - started
        with django_db_blocker.unblock(), made.connected():
            started = time.monotonic()
            call_command("migrate", verbosity=0)
            made.migrate_seconds = time.monotonic() - started
        yield made
    finally:
        made.down()


@pytest.fixture
def on_pair(pair, django_db_blocker):
    """`default` is the pair's primary and `replica` its standby for the test; what the test
    writes is committed (there is no test transaction: the replica must see it)."""
    with django_db_blocker.unblock(), pair.connected():
        yield pair


def on_replica(sql, *params):
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def replayed(model, **lookup):
    """Wait (a bounded poll) until the replica has replayed the row; the seconds it took."""
    started = time.monotonic()
    replica_pair.wait_for(lambda: model.objects.using("replica").filter(**lookup).exists())
    return time.monotonic() - started


def all_replayed():
    """Wait until the replica has everything written so far: the WAL is replayed in order, so
    a row written last is replayed last."""
    return replayed(
        Organisation, pk=Organisation.objects.create(name=f"Written last {time.monotonic_ns()}").pk
    )


def small_team():
    """A team with three people supported in Q2 2025/26 and one who left before it."""
    team = TeamFactory(name=f"Replica Navigators {time.monotonic_ns()}")
    manager = UserFactory(role=Role.MANAGER, team=team)
    for gender, start, end in [
        ("woman", date(2025, 5, 1), None),
        ("man", date(2025, 7, 14), date(2025, 9, 1)),
        ("woman", date(2025, 8, 2), None),
        ("man", date(2025, 1, 1), date(2025, 3, 31)),
    ]:
        person = PersonFactory(team=team, gender=gender)
        EpisodeFactory(
            person=person, start_date=start, accepted_on=start, **({"closed": True} if end else {})
        )
        if end:
            person.episodes.update(end_date=end)
    return team, manager


@pytest.mark.postgres
def test_a_write_on_the_primary_is_replayed_on_the_replica(on_pair):
    assert on_replica("SELECT pg_is_in_recovery()") == (True,)
    assert on_replica("SELECT count(*) FROM django_migrations")[0] > 100  # the schema streamed
    organisation = Organisation.objects.create(name="Written on the primary")
    seconds = replayed(Organisation, pk=organisation.pk)
    assert seconds < 20
    print(f"pair up in {on_pair.up_seconds:.1f} s, migrated in {on_pair.migrate_seconds:.1f} s")
    print(f"a write replayed on the replica within {seconds * 1000:.0f} ms")


@pytest.mark.postgres
def test_the_return_is_built_from_the_replica_and_equals_the_primarys(on_pair):
    team, manager = small_team()
    # Built at once, without waiting here: the build waits for the replica to replay every
    # change made before it began, and the replica's figures must be the primary's.
    with CaptureQueriesContext(connections["replica"]) as on_the_replica:
        requested = returns.return_request(team=team, quarter=Q2, by=manager)  # built at once
    # The version row was written and read back on the primary; its figures came from the
    # replica: the figures' queries ran there, and nowhere else in the build did.
    built = QuarterlyReturn.objects.get(pk=requested.pk)
    assert built.status == QuarterlyReturn.Status.DONE, built.error
    assert len(on_the_replica) > 10
    print(f"the return's build made {len(on_the_replica)} queries on the replica")
    assert not any("returns_quarterlyreturn" in q["sql"] for q in on_the_replica)
    # The same figures read on the primary, as the version's JSON column keeps them.
    on_primary = figures_as_data(build_return(team, Q2))
    assert built.figures == json.loads(json.dumps(on_primary, cls=DjangoJSONEncoder))
    active = next(f for f in built.figures if f["values"]["all"] and f["kind"] == "count")
    assert active["values"]["all"] > 0
    with replica.reports(up_to_date_within=5) as alias:
        assert alias == "replica"
        assert extract_rows(team, Q2) == extract_rows_on_primary(team)
        assert len(extract_rows(team, Q2)) == 3


def extract_rows_on_primary(team):
    with replica.primary():
        return extract_rows(team, Q2)


@pytest.mark.postgres
def test_a_reports_reads_use_the_replicas_connection(on_pair):
    team, _ = small_team()
    all_replayed()
    with replica.reports() as alias:
        assert alias == "replica"
        assert ROUTER.db_for_read(Person) == "replica"
        people = list(Person.objects.filter(team=team))
        assert {p._state.db for p in people} == {"replica"}
        # The connection the report's queries run on is the standby's.
        asked = Person.objects.raw("SELECT id, pg_is_in_recovery() AS standby FROM caseload_person")
        assert {p.standby for p in asked} == {True}
    assert ROUTER.db_for_read(Person) == "default"  # outside a report


@pytest.mark.postgres
def test_a_report_that_writes_reads_from_the_primary_from_then_on(on_pair):
    with replica.reports() as alias:
        assert alias == "replica"
        with transaction.atomic():
            assert ROUTER.db_for_read(Person) == "default"  # inside a transaction
        assert ROUTER.db_for_read(Person) == "replica"
        organisation = Organisation.objects.create(name="Written during a report")
        assert organisation._state.db == "default"
        # Read straight back: from the primary, though the replica may not have it yet.
        assert Organisation.objects.filter(pk=organisation.pk).exists()
        assert ROUTER.db_for_read(Person) == "default"


@pytest.mark.postgres
def test_a_figures_page_and_an_api_call_read_from_the_replica_and_audit_on_the_primary(
    on_pair,
):
    team, manager = small_team()
    token, key = make_token(team, manager)
    all_replayed()
    client = sign_in(Client(), manager)
    audited = AuditEvent.objects.filter(description="API: people").count()
    with CaptureQueriesContext(connections["replica"]) as page_reads:
        page = client.get(reverse("returns:live"), {"quarter": Q2.label})
    assert page.status_code == 200
    assert any("caseload_episode" in q["sql"] for q in page_reads)
    with CaptureQueriesContext(connections["replica"]) as api_reads:
        answer = client.get(reverse("api:people"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200
    assert answer.json()["count"] == 4
    assert any("caseload_person" in q["sql"] for q in api_reads)
    # The token was read on the primary (a revoked one stops at once); audit rows written there.
    assert not any("api_apitoken" in q["sql"] for q in api_reads)
    assert AuditEvent.objects.filter(description="API: people").count() == audited + 1


@pytest.mark.postgres
def test_a_lagging_replica_is_passed_over_and_a_caught_up_one_is_used_however_idle(on_pair, caplog):
    on_replica("SELECT pg_wal_replay_pause()")
    try:
        Organisation.objects.create(name="Not yet replayed")
        time.sleep(1.2)
        replica.forget_lag()
        with (
            caplog.at_level(logging.WARNING, logger="smd.replica"),
            replica.reports(max_lag=1) as alias,
        ):
            assert alias == "default"
        assert "the replica is" in caplog.text and "behind" in caplog.text
    finally:
        on_replica("SELECT pg_wal_replay_resume()")
    # Caught up, and nothing written for over a second: the last transaction replayed is old,
    # but there is nothing left to replay, so the replica is not behind at all.
    time.sleep(1.2)

    def caught_up():
        replica.forget_lag()
        return replica.replica_lag() == 0.0

    replica_pair.wait_for(caught_up, timeout=10)
    assert on_replica("SELECT now() - pg_last_xact_replay_timestamp() > interval '1 second'")[0]
    with replica.reports(max_lag=1) as alias:
        assert alias == "replica"


@pytest.mark.postgres
def test_an_unreachable_replica_leaves_pages_and_the_return_on_the_primary(
    on_pair, settings, caplog
):
    settings.REPLICA_CHECK_SECONDS = 60
    team, manager = small_team()
    client = sign_in(Client(), manager)
    with on_pair.standby_stopped(), caplog.at_level(logging.WARNING, logger="smd.replica"):
        page = client.get(reverse("returns:live"), {"quarter": Q2.label})
        requested = returns.return_request(team=team, quarter=Q2, by=manager)
        checked = replica._checks["replica"]
        with replica.reports() as alias:
            assert alias == "default"
        assert replica._checks["replica"] is checked  # remembered, not tried again at once
    assert page.status_code == 200
    assert "People active at quarter end" in page.content.decode()
    built = QuarterlyReturn.objects.get(pk=requested.pk)
    assert built.status == QuarterlyReturn.Status.DONE, built.error
    assert checked[1] is None
    assert "the replica cannot be reached" in caplog.text
