"""A real PostgreSQL primary and its streaming replica, made for a test run from the machine's
own PostgreSQL binaries, on free ports, in a temporary folder owned by the `postgres` user
(initdb refuses to run as root), and removed afterwards."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from django.db import connections

from smd import replica

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "smd_pair"


def missing():
    """Why a pair cannot be made here, or None."""
    for program in ("initdb", "pg_ctl", "pg_basebackup", "createdb"):
        if not (BIN / program).exists():
            return f"{BIN / program} is not installed"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres user to run initdb as"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        return "making a cluster needs root (to run as postgres) or the postgres user"
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*args):
    command = [str(a) for a in args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)


class Pair:
    """Two clusters: `primary` takes writes, `standby` replays its WAL (pg_basebackup -R)."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="smd-replica-pair-"))
        postgres = pwd.getpwnam("postgres")
        os.chown(self.root, postgres.pw_uid, postgres.pw_gid)
        self.primary_port, self.standby_port = _free_port(), _free_port()
        self.primary_dir, self.standby_dir = self.root / "primary", self.root / "standby"
        self.started = []

    def config(self, port):
        """A DATABASES entry for one of the clusters, as Django fills it in."""
        entry = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": DATABASE,
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "OPTIONS": {"connect_timeout": 2},
        }
        return connections.configure_settings({"default": entry})["default"]

    def _start(self, folder, port):
        _as_postgres(
            BIN / "pg_ctl",
            "-D",
            folder,
            "-l",
            folder / "server.log",
            "-w",
            "-o",
            f"-p {port} -k {self.root}",
            "start",
        )
        self.started.append(folder)

    def up(self):
        _as_postgres(
            BIN / "initdb", "-D", self.primary_dir, "-U", "postgres", "--auth=trust", "--no-sync"
        )
        with open(self.primary_dir / "postgresql.conf", "a") as conf:
            conf.write(
                "\nlisten_addresses = '127.0.0.1'\nwal_level = replica\nmax_wal_senders = 4\n"
                "fsync = off\nfull_page_writes = off\n"
                "shared_buffers = 32MB\nmax_connections = 30\n"
            )
        with open(self.primary_dir / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self._start(self.primary_dir, self.primary_port)
        # The standby is copied from the primary before the schema exists, so the migrations
        # and everything after reach it by streaming, as they would in production.
        _as_postgres(
            BIN / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            self.primary_port,
            "-U",
            "postgres",
            "-D",
            self.standby_dir,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )
        self._start(self.standby_dir, self.standby_port)
        subprocess.run(
            [BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.primary_port)]
            + ["-U", "postgres", DATABASE],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def down(self):
        for folder in reversed(self.started):
            with suppress(subprocess.CalledProcessError):
                _as_postgres(BIN / "pg_ctl", "-D", folder, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    @contextmanager
    def standby_stopped(self):
        """The replica out of reach (its server stopped) for a block, then back and streaming."""
        connections["replica"].close()
        _as_postgres(BIN / "pg_ctl", "-D", self.standby_dir, "-m", "fast", "-w", "stop")
        try:
            yield
        finally:
            connections["replica"].close()
            _as_postgres(
                BIN / "pg_ctl",
                "-D",
                self.standby_dir,
                "-l",
                self.standby_dir / "server.log",
                "-w",
                "-o",
                f"-p {self.standby_port} -k {self.root}",
                "start",
            )

    @contextmanager
    def connected(self):
        """`default` is the pair's primary and `replica` its standby until the block ends;
        then the test database's connection and settings are as they were."""
        with aliases(
            default=self.config(self.primary_port), replica=self.config(self.standby_port)
        ):
            yield


@contextmanager
def aliases(**entries):
    """Point database aliases at other databases for a block, and put them back afterwards."""
    saved_settings = {alias: connections.settings.get(alias) for alias in entries}
    saved_connections = {}
    for alias, entry in entries.items():
        if alias in connections.settings and hasattr(connections._connections, alias):
            saved_connections[alias] = connections[alias]
            del connections[alias]
        connections.settings[alias] = entry
    replica.forget_lag()
    try:
        yield
    finally:
        for alias in entries:
            if hasattr(connections._connections, alias):
                connections[alias].close()
                del connections[alias]
            if saved_settings[alias] is None:
                del connections.settings[alias]
            else:
                connections.settings[alias] = saved_settings[alias]
            if alias in saved_connections:
                connections[alias] = saved_connections[alias]
        replica.forget_lag()


def wait_for(condition, *, timeout=20.0, every=0.05):
    """Poll until `condition()` is true; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(every)
