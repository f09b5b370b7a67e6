"""NDT assessments: versioned schemes (data, not code) and the assessments scored under them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from caseload.models import Person
from smd.models import BaseModel
from smd.submission import submission_key_field
from smd.versioning import Versioned

MAX_LEVEL = 4  # every NDT item is scored 0-4 before its weight

NDT_ACKNOWLEDGEMENT = (
    "The New Directions Team (NDT) assessment is copyright South West London and St George's "
    "Mental Health NHS Trust and is used with acknowledgement. The descriptions here are this "
    "project's own wording."
)


class SchemeInUse(ValidationError):
    """A scheme version that any assessment uses can no longer change."""


class AssessmentScheme(BaseModel):
    """One version of an assessment scheme. Immutable once an assessment uses it."""

    code = models.SlugField(max_length=50, help_text="The scheme family, e.g. ndt-amended.")
    name = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    instruction = models.TextField(max_length=1000)
    comparable_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The standard scheme whose total every assessment under this one also yields.",
    )
    is_current = models.BooleanField(
        default=False, help_text="The version new assessments in this family use."
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scheme_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="one_current_version_per_scheme"
            ),
        ]

    def __str__(self):
        return f"{self.name}, version {self.version}"

    @property
    def is_in_use(self):
        """Used by an assessment, or the standard scheme an amended one totals against: changing
        either would change a stored score's meaning."""
        if self.pk is None:
            return False
        return Assessment.objects.filter(Q(scheme=self) | Q(scheme__comparable_to=self)).exists()

    @property
    def max_total(self):
        return sum(item.weight * MAX_LEVEL for item in self.items.all())

    def save(self, *args, **kwargs):
        # Only `is_current` may change on a version in use: choosing the current version is
        # the partnership's decision, and does not alter any score.
        if self.pk and self.is_in_use:
            old = AssessmentScheme.objects.get(pk=self.pk)
            fields = ["code", "name", "version", "instruction", "comparable_to_id"]
            if any(getattr(old, f) != getattr(self, f) for f in fields):
                raise SchemeInUse(
                    f"{old} is used by assessments and cannot change: publish a new version."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_in_use:
            raise SchemeInUse(f"{self} is used by assessments and cannot be deleted.")
        return super().delete(*args, **kwargs)


class SchemeItem(BaseModel):
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=50)
    title = models.CharField(max_length=200)
    guidance = models.TextField(max_length=1000, blank=True)
    weight = models.PositiveSmallIntegerField()
    levels = models.JSONField(help_text="One short description per score, 0 to 4.")

    class Meta:
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="scheme_item_key_unique"),
            models.UniqueConstraint(
                fields=["scheme", "position"], name="scheme_item_position_unique"
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="scheme_item_weight_positive"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if AssessmentScheme.objects.get(pk=self.scheme_id).is_in_use:
            raise SchemeInUse(f"{self.scheme} is used by assessments: publish a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.scheme.is_in_use:
            raise SchemeInUse(f"{self.scheme} is used by assessments: publish a new version.")
        return super().delete(*args, **kwargs)


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Assessments of the people the user may see, and no others."""
        return self.filter(person__in=Person.objects.visible_to(user))

    def completed(self):
        return self.filter(status=Assessment.Status.COMPLETED)


class Assessment(Versioned, BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    class Participation(models.TextChoices):
        YES = "yes", "Yes, they took part"
        PARTLY = "partly", "Partly"
        NO = "no", "No, completed by staff"

    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="assessments"
    )
    episode = models.ForeignKey(
        "caseload.Episode", on_delete=models.PROTECT, related_name="assessments"
    )
    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    assessed_on = models.DateField()
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    participation = models.CharField(max_length=10, choices=Participation.choices)
    # Stored at completion and never recomputed from a later scheme: a score is what it was.
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    standard_total = models.PositiveSmallIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        indexes = [
            models.Index(fields=["episode", "status", "assessed_on"], name="assessment_episode"),
            models.Index(fields=["person", "assessed_on"], name="assessment_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(total__isnull=False) & Q(standard_total__isnull=False)),
                name="completed_assessment_has_totals",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__lte=1000), name="assessment_total_sane"
            ),
        ]

    def __str__(self):
        return f"{self.scheme.name} on {self.assessed_on:%-d %b %Y}"

    def get_absolute_url(self):
        return reverse("assessments:detail", args=[self.person_id, self.pk])

    @property
    def is_amended(self):
        return self.scheme.comparable_to_id is not None

    def can_be_changed_by(self, user):
        """Drafts by team staff; a completed one is corrected by its assessor or a team leader."""
        if not user.in_team:
            return False
        if self.status == self.Status.DRAFT:
            return True
        return user.pk == self.assessor_id or user.can_overrule


class ItemScore(BaseModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(SchemeItem, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["item__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_score_per_item"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=MAX_LEVEL), name="item_score_0_to_4"
            ),
        ]

    @property
    def weighted(self):
        return None if self.score is None else self.score * self.item.weight


class AssessmentCorrection(BaseModel):
    """The assessment as it was before a correction, with who corrected it and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="corrections")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(max_length=1000)
    previous = models.JSONField(help_text="Date, totals and every item's score and note before.")
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    class Meta:
        ordering = ["-created_at"]


# ReQoL-10's models live beside its views in assessments/reqol/; the app's models module
# imports them so Django registers them under the `assessments` label.
from assessments.reqol.models import (  # noqa: E402, F401
    REQOL_ITEM_COUNT,
    REQOL_MAX_RESPONSE,
    REQOL_MAX_TOTAL,
    REQOL_REVERSED_COUNT,
    ReqolAnswer,
    ReqolDefinition,
    ReqolDefinitionInUse,
    ReqolItem,
    ReqolRecord,
    ReqolRecordQuerySet,
)
