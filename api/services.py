"""Making and revoking API tokens."""

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, key_digest, new_key
from smd.submission import once_per_submission


def _same(token, **kwargs):
    return token.system == kwargs["system"] and token.purpose == kwargs["purpose"]


@transaction.atomic
@once_per_submission(ApiToken, same=_same, found=lambda token: (token, None))
def api_token_create(
    *,
    team,
    by,
    system,
    purpose,
    expires_on,
    identifiable=False,
    lawful_basis="",
    include_notes=False,
    submission_key=None,
):
    """A new token and its key, which is returned this once and never stored. Sent again with
    the same submission key, the token already made and no key (it cannot be shown twice)."""
    key = new_key()
    token = ApiToken(
        team=team,
        created_by=by,
        system=system,
        purpose=purpose,
        expires_on=expires_on,
        identifiable=identifiable,
        lawful_basis=lawful_basis if identifiable else "",
        include_notes=include_notes and identifiable,
        key_prefix=key[:8],
        key_hash=key_digest(key),
        submission_key=submission_key,
    )
    token.full_clean(exclude=["key_hash", "submission_key"])
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token, by):
    """Stop a token working from now on; revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    return token
