"""Team capacity's team-wide totals, and the ids and dates of its people waiting, kept in the
cache (Redis in production).

The people held, and the days on service, are aggregates over every current allocation and
every closed episode of a team: tens of thousands of rows for a large team, read on every view
of the capacity page although they change only when someone is allocated, an episode changes or
a staff profile does. They are figures, not person data, so they are kept in the cache under
the team, the day and a generation. Every save or delete of an allocation, an episode, a person
or a worker's profile bumps the generation, at once and again when its transaction commits, so
the next view computes them afresh: a team leader who allocates someone sees it on the next page. Writes that
bypass save() (the importer's bulk inserts, ending an episode's allocations in one UPDATE) bump
it themselves with `changed()`; so does erasure, whose UPDATEs take a person out of everyone's
scope. The list of people waiting is kept for team staff only, whose scope is the team
(caseload.selectors.WaitingList, ADR 0035).

One generation for all teams, not one a team: a worker or a person can move between teams, and
finding the team of a changed allocation would cost a query on every write. Teams are few, and
the totals cost a few tens of milliseconds to compute again.

With the cache down the totals are computed directly, with a warning in the log (fail open, as
the referral form's rate limit does): the page must not fail with the cache.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from redis.exceptions import RedisError

from caseload.models import Allocation, Episode, Person
from smd.models import User

log = logging.getLogger(__name__)


def _namespace():
    """The database's name leads every key: two databases sharing one Redis (a staging copy, the
    benchmarks' 1x and 100x data, whose team ids are the same) never read each other's totals."""
    return f"capacity:{settings.DATABASES['default']['NAME']}"


# Five minutes at most. The generation is what keeps the totals right; the timeout bounds how
# long they can be wrong when a bump is lost (the cache unreachable at the moment of a write,
# then back with the old entry, or a write that bypasses save() and forgets `changed()`). A
# bump leaves the old entry behind to expire.
TIMEOUT = 5 * 60
# A worker's profile fields the totals read; a save of others (a sign-in's last_login) keeps
# the cached totals.
STAFF_FIELDS = {"role", "team", "team_id", "is_active", "fte", "planned_hours", "specialism"}


def _bump():
    try:
        cache.incr(f"{_namespace()}:generation")
    except ValueError:  # no generation yet: the first change starts one
        cache.add(f"{_namespace()}:generation", 1, timeout=None)
    except (RedisError, OSError) as exc:
        log.warning("Team capacity totals not invalidated: the cache is unavailable (%s)", exc)


def changed():
    """The figures a team's capacity page shows may have changed: the next view computes them
    again. Bumped now, so the writing transaction itself reads the change, and again once it
    commits, so totals another request computed meanwhile from the data before the commit
    are not kept."""
    _bump()
    transaction.on_commit(_bump)


def totals(team_id, name, on, compute):
    """`compute()`, kept in the cache for the team, the day `on` and the current generation."""
    return totals_many(team_id, on, {name: compute})[name]


def totals_many(team_id, on, computes):
    """{name: compute()} for each name and function of `computes`, each kept in the cache for
    the team, the day `on` and the current generation: two round trips to the cache when all
    are there (the generation, then every entry at once), one more to keep those computed."""
    try:
        generation = cache.get_or_set(f"{_namespace()}:generation", 0, timeout=None)
        keys = {
            name: f"{_namespace()}:{name}:{team_id}:{on.isoformat()}:{generation}"
            for name in computes
        }
        found = cache.get_many(keys.values())
    except (RedisError, OSError) as exc:
        log.warning("Team capacity totals computed directly: the cache is unavailable (%s)", exc)
        return {name: compute() for name, compute in computes.items()}
    values, missing = {}, {}
    for name, compute in computes.items():
        values[name] = found.get(keys[name])
        if values[name] is None:
            values[name] = missing[keys[name]] = compute()
    if missing:
        try:
            cache.set_many(missing, timeout=TIMEOUT)
        except (RedisError, OSError) as exc:
            log.warning("Team capacity totals not kept: the cache is unavailable (%s)", exc)
    return values


def _saved(sender, update_fields=None, **kwargs):
    changed()


def _staff_saved(sender, update_fields=None, **kwargs):
    if update_fields is None or STAFF_FIELDS & set(update_fields):
        changed()


def connect():
    """Bump the generation on every save or delete of what the totals count (from
    CaseloadConfig.ready())."""
    for model in (Allocation, Episode, Person):
        post_save.connect(_saved, sender=model, dispatch_uid=f"capacity-{model.__name__}")
        post_delete.connect(_saved, sender=model, dispatch_uid=f"capacity-del-{model.__name__}")
    post_save.connect(_staff_saved, sender=User, dispatch_uid="capacity-User")
    post_delete.connect(_saved, sender=User, dispatch_uid="capacity-del-User")
