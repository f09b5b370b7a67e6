"""Who is calling: a token in the Authorization header, how often it may call, and the audit
entry every call leaves.

A call is named in the audit log by the token's system (`api:<system>`), with the token as the
record; a call without a usable token is logged as denied, by the token's system when the key
was a revoked or expired one.
"""

import logging

from django.conf import settings
from django.utils import timezone
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from api.models import ApiToken, key_digest
from smd.audit.models import AuditAction
from smd.audit.services import audit_record
from smd.client_ip import client_ip
from smd.replica import primary

log = logging.getLogger(__name__)

NO_TOKEN = "api:no usable token"


class TokenClient:
    """The caller behind a token: not a staff user, and never one (request.user in the API)."""

    is_authenticated = True
    is_active = True
    pk = None

    def __init__(self, token):
        self.token = token

    def __str__(self):
        return self.token.actor


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`. An unknown, revoked or expired key is a 401."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Give the token after Bearer, with no spaces in it.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("That is not a token.") from None
        with primary():  # not the replica: a token revoked a moment ago is refused now
            tokens = ApiToken.objects.select_related("team")
            token = tokens.filter(key_hash=key_digest(key)).first()
        if token is None:
            raise AuthenticationFailed("That token is not known.")
        request._request.api_token_seen = token
        if token.revoked_at is not None:
            raise AuthenticationFailed("That token was revoked.")
        if token.expires_on < timezone.localdate():
            raise AuthenticationFailed("That token has expired.")
        return TokenClient(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="smd"'


class HasToken(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)


class TokenRateThrottle(BaseThrottle):
    """API_RATE_LIMIT calls per token (API_UNAUTHENTICATED_RATE_LIMIT per address for calls
    without a usable token), counted in the cache with django-ratelimit. With the cache down
    the limit fails open, with a warning in the log: the insight hub's reading matters more
    than the count, and a call must not fail with it."""

    def allow_request(self, request, view):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None:
            group, rate = "api.token", settings.API_RATE_LIMIT
            ident = str(token.pk)
        else:
            group, rate = "api.unauthenticated", settings.API_UNAUTHENTICATED_RATE_LIMIT
            ident = client_ip(request._request) or "unknown"
        try:
            usage = get_usage(
                request._request,
                group=group,
                key=lambda _group, _request: ident,
                rate=rate,
                method=ALL,
                increment=True,
            )
        except (RedisError, OSError) as exc:
            log.warning("API rate limit not applied: the cache is unavailable (%s)", exc)
            return True
        if usage is None or not usage["should_limit"]:
            return True
        # At least a second: the window can end within this one, and a wait of 0 would send the
        # 429 without its Retry-After header.
        self.time_left = max(1, usage["time_left"])
        return False

    def wait(self):
        return getattr(self, "time_left", None)


def audit_call(request, response, *, description, person=None):
    """One audit entry for one API call, whatever its answer."""
    token = request.auth if isinstance(request.auth, ApiToken) else None
    seen = token or getattr(request._request, "api_token_seen", None)
    status = response.status_code
    audit_record(
        user=None,
        username=seen.actor if seen is not None else NO_TOKEN,
        action=AuditAction.VIEW if status < 400 else AuditAction.DENIED,
        person=person if status < 400 else None,
        object_ref=("api.apitoken", seen.pk) if seen is not None else None,
        request=request._request,
        description=f"API: {description}",
        status_code=status,
    )
