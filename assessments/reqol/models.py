"""ReQoL-10 records and the licensed-wording definitions they are scored under."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from caseload.models import Person
from smd.models import BaseModel
from smd.submission import submission_key_field

# ReQoL-10 (Recovering Quality of Life) is a licensed measure: the project ships its scoring and
# the definition file format, never its wording. An organisation loads the wording from its
# licensed copy (`manage.py import_reqol`); until then the measure cannot be recorded.

REQOL_ITEM_COUNT = 10
# The published measure reverse-scores four of its ten items; a file marking any other number
# has been copied wrongly, and would turn scores upside down without anyone noticing.
REQOL_REVERSED_COUNT = 4
REQOL_MAX_RESPONSE = 4
REQOL_MAX_TOTAL = REQOL_ITEM_COUNT * REQOL_MAX_RESPONSE  # 40: higher is better


class ReqolDefinitionInUse(ValidationError):
    """A ReQoL definition that any record uses can no longer change."""


class ReqolDefinition(BaseModel):
    """One version of the organisation's licensed ReQoL-10 wording: instructions, the five
    response labels (for 0 to 4), the acknowledgement its licence asks for, and ten items.
    Immutable once a record uses it."""

    version = models.PositiveIntegerField(unique=True)
    instructions = models.TextField(max_length=2000)
    response_labels = models.JSONField(help_text="Five labels, for responses 0 to 4.")
    acknowledgement = models.TextField(
        max_length=1000, help_text="Shown wherever ReQoL-10 appears, as the licence asks."
    )
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_reqol"
            ),
        ]

    def __str__(self):
        return f"ReQoL-10 wording, version {self.version}"

    @property
    def is_in_use(self):
        return self.pk is not None and self.records.exists()

    def save(self, *args, **kwargs):
        if self.pk and self.is_in_use:
            old = ReqolDefinition.objects.get(pk=self.pk)
            fields = ["version", "instructions", "response_labels", "acknowledgement"]
            if any(getattr(old, f) != getattr(self, f) for f in fields):
                raise ReqolDefinitionInUse(
                    f"{old} is used by records and cannot change: load a new version."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_in_use:
            raise ReqolDefinitionInUse(f"{self} is used by records and cannot be deleted.")
        return super().delete(*args, **kwargs)


class ReqolItem(BaseModel):
    definition = models.ForeignKey(ReqolDefinition, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=50)
    text = models.TextField(max_length=500)
    reversed = models.BooleanField(help_text="Negatively worded: scored 4 minus the response.")

    class Meta:
        ordering = ["definition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "key"], name="reqol_item_key_unique"),
            models.UniqueConstraint(
                fields=["definition", "position"], name="reqol_item_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.key}"

    def save(self, *args, **kwargs):
        if ReqolDefinition.objects.get(pk=self.definition_id).is_in_use:
            raise ReqolDefinitionInUse(f"{self.definition} is used by records: load a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.definition.is_in_use:
            raise ReqolDefinitionInUse(f"{self.definition} is used by records: load a new version.")
        return super().delete(*args, **kwargs)


class ReqolRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(person__in=Person.objects.visible_to(user))


class ReqolRecord(BaseModel):
    """One completed ReQoL-10: every answer and the total (0-40, higher is better), scored
    once when recorded under the definition it used."""

    class Completion(models.TextChoices):
        THEMSELF = "themself", "They filled it in themself"
        SUPPORTED = "supported", "With support (read aloud or helped to answer)"

    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="reqol_records"
    )
    episode = models.ForeignKey(
        "caseload.Episode", on_delete=models.PROTECT, related_name="reqol_records"
    )
    definition = models.ForeignKey(
        ReqolDefinition, on_delete=models.PROTECT, related_name="records"
    )
    completed_on = models.DateField("date completed")
    completion = models.CharField("how it was filled in", max_length=12, choices=Completion.choices)
    total = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reqol_recorded"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = ReqolRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-created_at"]
        indexes = [models.Index(fields=["person", "completed_on"], name="reqol_person_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__lte=REQOL_MAX_TOTAL), name="reqol_total_0_to_40"
            ),
        ]

    def __str__(self):
        return f"ReQoL-10 on {self.completed_on:%-d %b %Y}: {self.total}"


class ReqolAnswer(BaseModel):
    """One item's answer as ticked (0-4) and its score, reversed for negatively worded items."""

    record = models.ForeignKey(ReqolRecord, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ReqolItem, on_delete=models.PROTECT, related_name="+")
    response = models.PositiveSmallIntegerField()
    reversed = models.BooleanField()
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["item__position"]
        constraints = [
            models.UniqueConstraint(fields=["record", "item"], name="one_reqol_answer_per_item"),
            models.CheckConstraint(
                condition=Q(response__lte=REQOL_MAX_RESPONSE), name="reqol_response_0_to_4"
            ),
            # The score is the response, or 4 minus it for a reversed item: nothing else.
            models.CheckConstraint(
                condition=(Q(reversed=False) & Q(score=models.F("response")))
                | (Q(reversed=True) & Q(score=REQOL_MAX_RESPONSE - models.F("response"))),
                name="reqol_score_follows_response",
            ),
        ]
