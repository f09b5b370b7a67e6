"""API tokens: a named system's key to read one team's records, for one purpose (ADR 0031).

The key itself is never stored: only its SHA-256 digest and its first characters (so a manager
can tell tokens apart). A key is 256 random bits, so a fast digest is as safe as a slow one and
costs one indexed lookup per call.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from smd.models import BaseModel, Team
from smd.submission import submission_key_field

KEY_PREFIX = "smd_"


def key_digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def new_key():
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The tokens of the manager's own team."""
        if not user.is_authenticated or not user.can_issue_api_tokens:
            return self.none()
        return self.filter(team_id=user.team_id)

    def usable(self, today=None):
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, expires_on__gte=today)


class ApiToken(BaseModel):
    """One system's access to one team's records for one purpose. Pseudonymised unless a lawful
    basis for identifiable data was recorded when it was made; free text (notes) only with
    identifiable access."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="api_tokens")
    system = models.CharField(
        "system", max_length=100, help_text="The system that will use it, e.g. Insight hub."
    )
    purpose = models.SlugField(
        "purpose",
        max_length=50,
        help_text=(
            "A short name for why the system reads the data, e.g. outcomes-dashboard. Tokens "
            "with the same purpose give people the same pseudonyms."
        ),
    )
    identifiable = models.BooleanField(
        "identifiable data",
        default=False,
        help_text="Names, dates of birth and NHS numbers instead of pseudonyms.",
    )
    lawful_basis = models.TextField(
        "lawful basis for identifiable data", max_length=1000, blank=True
    )
    include_notes = models.BooleanField(
        "include notes",
        default=False,
        help_text="What was written in contacts, assessments and events (identifiable only).",
    )
    expires_on = models.DateField("expires on", help_text="The last day the token works.")
    key_prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens_created"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens_revoked",
        null=True,
        blank=True,
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one token.
    submission_key = submission_key_field()

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(identifiable=False) | ~Q(lawful_basis=""),
                name="api_token_identifiable_has_basis",
            ),
            models.CheckConstraint(
                condition=Q(include_notes=False) | Q(identifiable=True),
                name="api_token_notes_only_identifiable",
            ),
        ]

    def __str__(self):
        return f"{self.system} ({self.purpose})"

    @property
    def pseudonym_purpose(self):
        """The pseudonym series: the API's own, one per purpose, apart from any extract's."""
        return f"api:{self.purpose}"

    @property
    def status(self):
        if self.revoked_at:
            return "revoked"
        if self.expires_on < timezone.localdate():
            return "expired"
        return "active"

    @property
    def actor(self):
        """How the token's calls are named in the audit log."""
        return f"api:{self.system}"[:150]
