"""Consent and information sharing: the lawful basis for holding a person's record, each
person's sharing agreements with partner organisations, and the register of data-sharing
agreements between organisations.

"In force" is always worked out when asked (never a stored flag), so a withdrawal, an expiry or
an ended agreement takes effect on the next request.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from smd.models import BaseModel, Organisation
from smd.submission import submission_key_field
from smd.versioning import Versioned


class Article6Basis(models.TextChoices):
    """UK GDPR Article 6(1): why the team may hold the record at all."""

    CONSENT = "consent", "Consent: the person agreed (Art. 6(1)(a))"
    CONTRACT = "contract", "A contract with the person (Art. 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "A legal obligation (Art. 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "To protect someone's life (Art. 6(1)(d))"
    PUBLIC_TASK = "public_task", "A public task, or official authority (Art. 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Art. 6(1)(f))"


class Article9Condition(models.TextChoices):
    """UK GDPR Article 9(2): the condition for holding special-category data (health, and with
    DPA 2018 Schedule 1 the rest the team records)."""

    EXPLICIT_CONSENT = "explicit_consent", "Explicit consent from the person (Art. 9(2)(a))"
    SOCIAL_PROTECTION = "social_protection", "Social security and social protection (Art. 9(2)(b))"
    VITAL_INTERESTS = (
        "vital_interests",
        "To protect someone's life, when they cannot consent (Art. 9(2)(c))",
    )
    SUBSTANTIAL_PUBLIC_INTEREST = (
        "substantial_public_interest",
        "Substantial public interest, e.g. safeguarding adults at risk (Art. 9(2)(g))",
    )
    HEALTH_SOCIAL_CARE = "health_social_care", "Health or social care (Art. 9(2)(h))"
    NOT_APPLICABLE = "not_applicable", "None held: no special-category data"


class LawfulBasis(Versioned, BaseModel):
    """The basis for holding a person's record. A new row for each change, so the history of
    what was recorded, when and by whom, is kept; the latest is the one that applies."""

    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="lawful_bases"
    )
    article_6 = models.CharField(
        "lawful basis for holding the record", max_length=24, choices=Article6Basis.choices
    )
    article_9 = models.CharField(
        "condition for special-category data (health, and similar)",
        max_length=32,
        choices=Article9Condition.choices,
    )
    notes = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    class Meta:
        ordering = ["-recorded_at"]
        get_latest_by = "recorded_at"
        indexes = [models.Index(fields=["person", "-recorded_at"], name="lawful_basis_latest")]

    def __str__(self):
        return self.get_article_6_display()


class Purpose(models.TextChoices):
    MDT = "mdt", "Discussion at the MDT"
    SERVICE_REFERRAL = "service_referral", "Referral to a service"


class HowRecorded(models.TextChoices):
    VERBAL = "verbal", "Said so in person or by phone (noted by the worker)"
    WRITTEN = "written", "Signed a form"
    ELECTRONIC = "electronic", "In writing: email, text or online form"
    REPRESENTATIVE = "representative", "Through an advocate or someone acting for them"
    WITHOUT_AGREEMENT = "without_agreement", "Without their agreement, on a lawful basis"


class SharingAgreementQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Not withdrawn, and not past its review or expiry date (the agreement runs to the end
        of that day)."""
        on = on or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, expires_on__gte=on)

    def for_mdt(self):
        return self.filter(purpose=Purpose.MDT)


class SharingAgreement(Versioned, BaseModel):
    """What a person agreed to share, with which partner organisation and for what. Kept after
    withdrawal or expiry as the record of what was agreed."""

    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="sharing_agreements"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="person_sharing_agreements"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    how_recorded = models.CharField(
        "how it was recorded", max_length=20, choices=HowRecorded.choices
    )
    lawful_basis_reason = models.CharField(
        "the lawful basis for sharing without agreement, and why",
        max_length=1000,
        blank=True,
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_on = models.DateField("review or expiry date")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=500, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = SharingAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(
                fields=["person", "organisation", "purpose"], name="sharing_person_org_purpose"
            ),
            # The return's "withdrew MDT sharing in the quarter" reads agreements by when they
            # were withdrawn; only the few withdrawn ones are indexed.
            models.Index(
                fields=["withdrawn_at"],
                condition=Q(withdrawn_at__isnull=False),
                name="sharing_withdrawn_at",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(how_recorded="without_agreement") | ~Q(lawful_basis_reason=""),
                name="sharing_without_agreement_explained",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="sharing_withdrawal_has_who",
            ),
        ]

    def __str__(self):
        return f"{self.person} with {self.organisation}: {self.get_purpose_display()}"

    def status(self, today=None):
        today = today or timezone.localdate()
        if self.withdrawn_at:
            return "withdrawn"
        if self.expires_on < today:
            return "expired"
        return "in_force"

    @property
    def is_in_force(self):
        return self.status() == "in_force"


class DataSharingAgreementQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Started by `on` and not ended by then. An overdue review is flagged, not an end."""
        on = on or timezone.localdate()
        return self.filter(start_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))

    def review_overdue(self, on=None):
        on = on or timezone.localdate()
        return self.in_force(on).filter(review_on__lt=on)

    def visible_to(self, user):
        """The agreements the user's organisation (through their team) is a party to."""
        if not (user.is_authenticated and user.is_active and user.team_id):
            return self.none()
        return self.filter(parties__teams=user.team_id)


class DataSharingAgreement(Versioned, BaseModel):
    """An agreement between organisations to share information for a purpose: the register the
    partnership keeps. Partner access to MDT records needs one in force."""

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "In force"
        REVIEW_OVERDUE = "review_overdue", "In force: review overdue"
        NOT_STARTED = "not_started", "Not started yet"
        ENDED = "ended", "Ended"

    title = models.CharField(max_length=200)
    parties = models.ManyToManyField(Organisation, related_name="data_sharing_agreements")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    description = models.CharField("what is shared, and why", max_length=1000, blank=True)
    start_on = models.DateField("in force from")
    review_on = models.DateField("review by")
    ended_on = models.DateField("ended on", null=True, blank=True)
    document_location = models.CharField(
        "where the signed agreement is held",
        max_length=300,
        help_text="A file path, document-management reference or the person who holds it.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = DataSharingAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_on__gte=models.F("start_on")),
                name="dsa_review_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("start_on")),
                name="dsa_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("sharing:dsa_edit", args=[self.pk])

    def status(self, today=None):
        today = today or timezone.localdate()
        if self.ended_on and self.ended_on <= today:
            return self.Status.ENDED
        if self.start_on > today:
            return self.Status.NOT_STARTED
        if self.review_on < today:
            return self.Status.REVIEW_OVERDUE
        return self.Status.IN_FORCE

    def get_status_display(self):
        return self.Status(self.status()).label
