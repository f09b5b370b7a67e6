"""Documents held about a person: a consent form, proof of ID, a letter, an assessment. The file
is in storage (`default_storage`) under a random name and is only ever sent through a view that
checks who may see it (documents.views.download)."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from simple_history.models import HistoricalRecords

from caseload.models import Person
from mdt.models import AgendaItem
from smd.models import BaseModel
from smd.submission import submission_key_field
from smd.versioning import Versioned


class DocumentQuerySet(models.QuerySet):
    def current(self):
        """Neither removed nor replaced by a newer upload: what lists and downloads show."""
        return self.filter(removed_at__isnull=True, replaced_by__isnull=True)

    def visible_to(self, user):
        """The documents a user may open. Team staff and an allocated peer mentor: those of the
        people they may see. A partner member: documents marked shareable with the MDT, of a
        person on an MDT case they may see now (`AgendaItem.objects.visible_to`, which holds the
        sharing rule), so a withdrawn or ended agreement hides them at once."""
        if not user.is_authenticated:
            return self.none()
        if user.is_mdt_partner:
            cases = AgendaItem.objects.visible_to(user).filter(person=OuterRef("person"))
            return self.current().filter(shareable_with_mdt=True).filter(Exists(cases))
        return self.current().filter(person__in=Person.objects.visible_to(user))


class Document(Versioned, BaseModel):
    class Kind(models.TextChoices):
        CONSENT = "consent", "Consent form"
        ID = "id", "Proof of identity"
        LETTER = "letter", "Letter"
        ASSESSMENT = "assessment", "Assessment"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    dated = models.DateField("date of the document")
    # The file: a random name in storage, what it really is (checked from its bytes), its size.
    stored_name = models.CharField(max_length=200, unique=True, editable=False)
    content_type = models.CharField(max_length=100, editable=False)
    extension = models.CharField(max_length=10, editable=False)
    size = models.PositiveIntegerField(editable=False)
    inline = models.BooleanField("shown in the browser", default=False, editable=False)
    # What it belongs with, if anything: always a record of the same person.
    sharing_agreement = models.ForeignKey(
        "sharing.SharingAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    mdt_referral = models.ForeignKey(
        "mdt.MdtReferral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="MDT case",
    )
    contact = models.ForeignKey(
        "caseload.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    # A newer upload of the same document (a re-signed form, a better scan) replaces this one:
    # the older leaves lists and downloads and stays in the record's history. Rows are deleted
    # only by erasure, which deletes both.
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    shareable_with_mdt = models.BooleanField("shareable with the MDT", default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removal_reason = models.CharField(max_length=500, blank=True)
    # The upload form's one-time key (smd.submission): sent twice, it stores one.
    submission_key = submission_key_field()

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-dated", "-uploaded_at"]
        indexes = [models.Index(fields=["person", "-dated"], name="document_person_dated")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        return reverse("documents:download", args=[self.pk])

    @property
    def is_removed(self):
        return self.removed_at is not None

    @property
    def download_name(self):
        """The name the browser saves it under: the title, never the uploaded file's name."""
        safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in self.title).strip()
        return f"{safe[:80] or 'document'}{self.extension}"
