"""Real faults for tests: a port nothing listens on, a private Redis to stop and start, and
the Celery app pointed at either. The shared Redis on 6379 is never touched."""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest

from smd.celery import app


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_cache(url):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


@contextmanager
def celery_broker(url, **conf):
    """Celery sends to the broker at `url` (not in-process) until the block ends. The app keeps
    its connection pools once made, so they are dropped on the way in and out."""
    keys = {"broker_url", "task_always_eager", *conf}
    saved = {k: app.conf[k] for k in keys}

    def drop_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(broker_url=url, task_always_eager=False, **conf)
    drop_pools()
    try:
        yield
    finally:
        app.conf.update(saved)
        drop_pools()


class PrivateRedis:
    """A redis-server of the test's own, on a spare port, with nothing saved to disk."""

    def __init__(self, workdir):
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def private_redis_or_skip(workdir):
    """A started PrivateRedis; without redis-server the test skips, or fails under CI=true."""
    if not shutil.which("redis-server"):
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true, so this test may not skip: {reason}")
        pytest.skip(reason)
    server = PrivateRedis(workdir)
    server.start()
    return server
