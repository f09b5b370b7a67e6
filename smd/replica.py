"""Reports read from a PostgreSQL streaming replica when one is configured (ADR 0034).

Reads go to the `replica` alias only inside `reports(...)`, a context entered by the return
and extract builds, the figures pages and the API's reads. Everything else goes to the
primary (`default`): every write, every read outside the context, every read inside a
transaction, and every read after the context wrote anything (so a report that writes reads its
own writes). Before a context uses the replica, its lag is checked (cached for
REPLICA_CHECK_SECONDS); a replica further behind than the context tolerates, or one that
cannot be reached, is passed over for the primary with a warning in the log. A build (the
return, the extract) also waits for the replica to replay everything committed before it
began, so a correction made just before a return was asked for is in it.

Without REPLICA_DATABASE_URL there is no `replica` alias and nothing changes.
"""

import contextvars
import functools
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"

# Caught up (a WAL receiver streaming and everything it received replayed) is no lag at all,
# however long ago the last transaction was: an idle primary sends nothing to replay, so the
# age of the last replayed transaction says nothing. Otherwise the lag is that age.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
       pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""

# Replayed up to a position of the primary's WAL; a database not in recovery is the primary.
CAUGHT_UP_SQL = "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn"


@dataclass
class _Context:
    alias: str
    wrote: bool = False


_current = contextvars.ContextVar("smd_reports", default=None)
_checks = {}  # alias -> (checked at, lag in seconds or None when it could not be measured)
_checks_lock = threading.Lock()


def configured():
    return REPLICA in connections.settings


def _measure(alias):
    """The replica's lag in seconds, 0.0 when caught up or not a standby at all; None when it
    cannot be reached or its lag cannot be known."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, receiving, replayed_all, age = cursor.fetchone()
    except Exception as exc:  # whatever stops the check, the primary answers instead
        log.warning("Reports read from the primary: the replica cannot be reached (%s)", exc)
        connections[alias].close()
        return None
    if not in_recovery or (receiving and replayed_all):
        return 0.0
    if age is None:  # replaying, and not one transaction replayed since it started
        log.warning("Reports read from the primary: the replica's lag cannot be known yet")
        return None
    return max(0.0, float(age))


def replica_lag(alias=REPLICA):
    """The replica's lag as last measured, measured again once REPLICA_CHECK_SECONDS passed."""
    now = time.monotonic()
    with _checks_lock:
        checked = _checks.get(alias)
        if checked is not None and now - checked[0] < settings.REPLICA_CHECK_SECONDS:
            return checked[1]
    lag = _measure(alias)
    with _checks_lock:
        _checks[alias] = (time.monotonic(), lag)
    return lag


def forget_lag():
    """Measure the lag afresh at the next context (after the replica's settings changed)."""
    with _checks_lock:
        _checks.clear()


def _replayed(position):
    """True once the replica has replayed the primary's WAL up to `position`."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(CAUGHT_UP_SQL, [position])
            return cursor.fetchone()[0]
    except Exception as exc:
        log.warning("Reports read from the primary: the replica cannot be reached (%s)", exc)
        return None


def _caught_up(wait):
    """Wait up to `wait` seconds for the replica to replay all the primary has committed now."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        position = cursor.fetchone()[0]
    deadline = time.monotonic() + wait
    while True:
        replayed = _replayed(position)
        if replayed or replayed is None:
            return bool(replayed)
        if time.monotonic() >= deadline:
            log.warning(
                "Reports read from the primary: the replica had not replayed %s in %s s",
                position,
                wait,
            )
            return False
        time.sleep(0.05)


def _choose(max_lag, wait):
    if not configured():
        return PRIMARY
    lag = replica_lag()
    if lag is None:
        return PRIMARY
    if lag > max_lag:
        log.warning(
            "Reports read from the primary: the replica is %.1f s behind (tolerated: %s s)",
            lag,
            max_lag,
        )
        return PRIMARY
    if wait is not None and not _caught_up(wait):
        return PRIMARY
    return REPLICA


@contextmanager
def reports(max_lag=None, *, up_to_date_within=None):
    """Reads inside go to the replica, if it is no more than `max_lag` seconds behind
    (REPLICA_MAX_LAG_SECONDS unless given). With `up_to_date_within` (seconds), the replica is
    used only once it has replayed everything the primary had committed on entry, waited for
    that long at most: for a build that must include every change made before it was asked
    for. Yields the alias the reads go to."""
    max_lag = settings.REPLICA_MAX_LAG_SECONDS if max_lag is None else max_lag
    context = _Context(alias=_choose(max_lag, up_to_date_within))
    token = _current.set(context)
    try:
        yield context.alias
    finally:
        _current.reset(token)


def read_from_replica(view):
    """A view whose reads may come from the replica (a figures page: read-only, team-wide)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with reports():
            return view(request, *args, **kwargs)

    return wrapped


@contextmanager
def primary():
    """Reads inside go to the primary even within a report (a token that was just revoked)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


class ReplicaRouter:
    """Sends a report's reads to the replica and everything else to the primary. Both aliases
    are one database, so relations between their rows are allowed, and only the primary is
    migrated."""

    def db_for_read(self, model, **hints):
        context = _current.get()
        if (
            context is None
            or context.alias == PRIMARY
            or context.wrote
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return context.alias

    def db_for_write(self, model, **hints):
        context = _current.get()
        if context is not None:
            context.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
