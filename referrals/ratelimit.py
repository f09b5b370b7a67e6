"""The public form's limit: referrals stored from one address in a window (REFERRAL_RATE_LIMIT),
counted in the cache with django-ratelimit.

Only stored referrals count, so a referrer correcting mistakes is never paused. With the cache
(Redis) down the limit fails open, with a warning in the log: a person's referral matters more
than the limit, and the form must not fail with it.
"""

import logging

from django.conf import settings
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

GROUP = "referrals.public_referral"


def _usage(request, *, increment):
    try:
        return get_usage(
            request,
            group=GROUP,
            key="ip",
            rate=settings.REFERRAL_RATE_LIMIT,
            method="POST",
            increment=increment,
        )
    except (RedisError, OSError) as exc:
        log.warning("Public referral limit not applied: the cache is unavailable (%s)", exc)
        return None


def public_referral_limited(request):
    """Whether this address has already sent its allowance of referrals in the window."""
    usage = _usage(request, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def public_referral_counted(request):
    """Count one stored referral against this address."""
    _usage(request, increment=True)
