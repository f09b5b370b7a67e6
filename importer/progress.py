"""How far a run has got, for the page's progress bar. The import writes in one transaction, so
the count cannot wait in the database until the end: it is kept in the cache, and a cache that
is down only leaves the bar where it was."""

import logging
import time

from django.core.cache import cache

log = logging.getLogger(__name__)
TTL = 6 * 60 * 60


def _key(run_id):
    return f"importer:progress:{run_id}"


def progress_saver(run_id):
    def save(done, total):
        try:
            cache.set(_key(run_id), (done, total), TTL)
            cache.set(_beat(run_id), time.time(), TTL)
        except Exception as error:  # a cache outage must not stop an import
            log.warning("Import progress not saved: %s", error)

    return save


def _beat(run_id):
    return f"importer:heartbeat:{run_id}"


def last_heartbeat(run_id):
    """When the run last said how far it had got (a Unix time), or None."""
    try:
        return cache.get(_beat(run_id))
    except Exception as error:
        log.warning("Import heartbeat not read: %s", error)
        return None


def progress_of(run_id):
    """(rows done, rows expected), or None when not known."""
    try:
        return cache.get(_key(run_id))
    except Exception as error:
        log.warning("Import progress not read: %s", error)
        return None
