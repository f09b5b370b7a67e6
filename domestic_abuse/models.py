"""Domestic abuse: the DASH risk checklist (its licensed wording loaded as versioned data, like
ReQoL-10), the risk level it gives, and MARAC referrals with the actions the MARAC agreed.

The MARAC is another agency's meeting: the app records what was referred and what was agreed,
and follows the actions; it does not run the meeting."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from caseload.models import Person
from smd.models import BaseModel, Organisation
from smd.submission import submission_key_field
from smd.versioning import Versioned

DASH_QUESTION_COUNT = 24
# "Visible high risk": 14 or more questions answered yes (the checklist's published threshold).
DASH_HIGH_RISK_YES = 14


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class AnswerSource(models.TextChoices):
    PERSON = "person", "The person said"
    PROFESSIONAL = "professional", "Professional's view"


class HighBecause(models.TextChoices):
    """Why a checklist, or a MARAC referral, is high risk (a referral may also be a repeat)."""

    VISIBLE = "visible_high_risk", "Visible high risk (14 or more yes)"
    JUDGEMENT = "professional_judgement", "Professional judgement"
    ESCALATION = "escalation", "Escalation (police call-outs in 12 months)"
    REPEAT = "repeat", "Repeat referral within 12 months"


class DashDefinitionInUse(ValidationError):
    """A DASH definition that any checklist uses can no longer change."""


class DashDefinition(BaseModel):
    """One version of the organisation's licensed DASH wording: the instructions, the
    acknowledgement the publisher asks for, and 24 questions. Immutable once a checklist uses it."""

    version = models.PositiveIntegerField(unique=True)
    instructions = models.TextField(max_length=2000)
    acknowledgement = models.TextField(
        max_length=1000, help_text="Shown wherever the checklist appears, as the publisher asks."
    )
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_dash"
            ),
        ]

    def __str__(self):
        return f"DASH wording, version {self.version}"

    @property
    def is_in_use(self):
        return self.pk is not None and self.checklists.exists()

    def save(self, *args, **kwargs):
        if self.pk and self.is_in_use:
            old = DashDefinition.objects.get(pk=self.pk)
            if any(
                getattr(old, f) != getattr(self, f)
                for f in ("version", "instructions", "acknowledgement")
            ):
                raise DashDefinitionInUse(
                    f"{old} is used by checklists and cannot change: load a new version."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_in_use:
            raise DashDefinitionInUse(f"{self} is used by checklists and cannot be deleted.")
        return super().delete(*args, **kwargs)


class DashQuestion(BaseModel):
    definition = models.ForeignKey(
        DashDefinition, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=50)
    text = models.TextField(max_length=500)

    class Meta:
        ordering = ["definition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "key"], name="dash_question_key_unique"),
            models.UniqueConstraint(
                fields=["definition", "position"], name="dash_question_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.key}"

    def save(self, *args, **kwargs):
        if DashDefinition.objects.get(pk=self.definition_id).is_in_use:
            raise DashDefinitionInUse(f"{self.definition} is used by checklists.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.definition.is_in_use:
            raise DashDefinitionInUse(f"{self.definition} is used by checklists.")
        return super().delete(*args, **kwargs)


class DashChecklistQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(person__in=Person.objects.visible_to(user))


class DashChecklist(BaseModel):
    """One completed DASH checklist, scored once when recorded: the number of yes answers, and
    the risk level it gives, which is the person's domestic-abuse risk until the next one."""

    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="dash_checklists"
    )
    definition = models.ForeignKey(
        DashDefinition, on_delete=models.PROTECT, related_name="checklists"
    )
    completed_on = models.DateField("date completed")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dash_checklists"
    )
    yes_count = models.PositiveSmallIntegerField("answered yes")
    # The assessor's professional judgement: blank to go by the answers alone.
    judgement = models.CharField(
        "professional judgement", max_length=10, choices=RiskLevel.choices, blank=True
    )
    judgement_reason = models.TextField(max_length=2000, blank=True)
    police_call_outs = models.PositiveSmallIntegerField(
        "police call-outs in the 12 months before", default=0
    )
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    high_because = models.JSONField(default=list, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = DashChecklistQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-created_at"]
        indexes = [models.Index(fields=["person", "completed_on"], name="dash_person_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(yes_count__lte=DASH_QUESTION_COUNT), name="dash_yes_count_range"
            ),
            models.CheckConstraint(
                condition=Q(risk_level__in=RiskLevel.values), name="dash_risk_level_valid"
            ),
            # Visible high risk is high whatever else is said.
            models.CheckConstraint(
                condition=Q(yes_count__lt=DASH_HIGH_RISK_YES) | Q(risk_level="high"),
                name="dash_visible_high_is_high",
            ),
            models.CheckConstraint(
                condition=Q(judgement="") | ~Q(judgement_reason=""),
                name="dash_judgement_has_reason",
            ),
        ]

    def __str__(self):
        return f"DASH checklist on {self.completed_on:%-d %b %Y}: {self.get_risk_level_display()}"

    def get_absolute_url(self):
        return reverse("domestic_abuse:overview", args=[self.person_id]) + f"#dash-{self.pk}"

    def get_high_because_display(self):
        labels = dict(HighBecause.choices)
        return [labels.get(code, code) for code in self.high_because]


class DashAnswer(BaseModel):
    checklist = models.ForeignKey(DashChecklist, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(DashQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    source = models.CharField(max_length=12, choices=AnswerSource.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["question__position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "question"], name="one_dash_answer"),
            models.CheckConstraint(condition=Q(answer__in=Answer.values), name="dash_answer_valid"),
            models.CheckConstraint(
                condition=Q(source__in=AnswerSource.values), name="dash_source_valid"
            ),
        ]


class SharingBasis(models.TextChoices):
    """How the referral came to be shared with the MARAC."""

    CONSENT = "consent", "The person agreed"
    WITHOUT_CONSENT = "without_consent", "Shared without consent, on a lawful basis"


class MaracReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(person__in=Person.objects.visible_to(user))


class MaracReferral(Versioned, BaseModel):
    """A referral to a MARAC: when, to which, by whom, on which criteria, on what basis it was
    shared, when it was heard and what the MARAC agreed."""

    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="marac_referrals"
    )
    checklist = models.ForeignKey(
        DashChecklist,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="marac_referrals",
        help_text="The checklist that prompted it.",
    )
    referred_on = models.DateField("date referred")
    marac = models.CharField("MARAC", max_length=100)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="marac_referrals"
    )
    criteria = models.JSONField(default=list, help_text="HighBecause codes.")
    # A repeat: referred to a MARAC within 12 months of an earlier referral. Worked out when
    # recorded, from the referrals then on the record.
    is_repeat = models.BooleanField(default=False)
    sharing_basis = models.CharField(max_length=20, choices=SharingBasis.choices)
    lawful_basis = models.TextField(
        "lawful basis for sharing without consent", max_length=2000, blank=True
    )
    heard_on = models.DateField("MARAC meeting heard on", null=True, blank=True)
    outcome_note = models.TextField("what the MARAC decided", max_length=4000, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = MaracReferralQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["-referred_on", "-created_at"]
        indexes = [models.Index(fields=["person", "referred_on"], name="marac_person_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sharing_basis="consent") | ~Q(lawful_basis=""),
                name="marac_without_consent_has_basis",
            ),
            models.CheckConstraint(
                condition=Q(heard_on__isnull=True) | Q(heard_on__gte=models.F("referred_on")),
                name="marac_heard_after_referral",
            ),
        ]

    def __str__(self):
        return f"MARAC referral to {self.marac} on {self.referred_on:%-d %b %Y}"

    def get_absolute_url(self):
        return reverse("domestic_abuse:overview", args=[self.person_id]) + f"#marac-{self.pk}"

    def get_criteria_display(self):
        labels = dict(HighBecause.choices)
        return [labels.get(code, code) for code in self.criteria]

    @property
    def status_label(self):
        return f"heard {self.heard_on:%-d %b %Y}" if self.heard_on else "waiting to be heard"


class MaracActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def visible_to(self, user):
        return self.filter(person__in=Person.objects.visible_to(user))


class MaracAction(Versioned, BaseModel):
    """An action the MARAC agreed, with an owner and a due date, followed until done."""

    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, related_name="actions")
    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="marac_actions"
    )
    description = models.CharField("action", max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="marac_actions"
    )
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    due_on = models.DateField("due")
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = MaracActionQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        # Actions due on one day: the earliest agreed first, then by id, so the order is one.
        ordering = ["due_on", "created_at", "id"]
        indexes = [
            models.Index(fields=["owner", "done_at", "due_on"], name="marac_action_owner_open"),
            models.Index(fields=["person", "done_at"], name="marac_action_person_open"),
        ]

    def __str__(self):
        return self.description

    @property
    def is_done(self):
        return self.done_at is not None

    def is_overdue(self, today=None):
        return not self.is_done and self.due_on < (today or timezone.localdate())
