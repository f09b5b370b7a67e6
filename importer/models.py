"""Imports from a previous system: each run of a file, each record it brought in (by the source
system's id, so a second run of the same file adds nothing), and the incoming people held for
a person to decide whether they are someone already on the record (ADR 0030)."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from smd.models import BaseModel, Team
from smd.submission import submission_key_field


class ImportRun(BaseModel):
    """One file, checked (the dry run) and then, when asked, imported."""

    class Status(models.TextChoices):
        CHECK_QUEUED = "check_queued", "Waiting to be checked"
        CHECKING = "checking", "Being checked"
        PROBLEMS = "problems", "Has problems"
        CHECKED = "checked", "Checked: ready to import"
        IMPORT_QUEUED = "import_queued", "Waiting to be imported"
        IMPORTING = "importing", "Being imported"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    IN_PROGRESS = {Status.CHECK_QUEUED, Status.CHECKING, Status.IMPORT_QUEUED, Status.IMPORTING}
    # Nothing more will read the file of a run in one of these.
    FINISHED = {Status.PROBLEMS, Status.IMPORTED, Status.FAILED}

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="import_runs")
    source = models.CharField(
        "source system", max_length=100, help_text="The system the records come from."
    )
    original_name = models.CharField(max_length=200)
    # The file in default_storage under a random name; blank for a run from the command line,
    # and once the file has been taken off the server (file_removed_at).
    stored_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CHECK_QUEUED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_runs"
    )
    rows_total = models.PositiveIntegerField(default=0)
    # {kind: {"rows": n, "new": n, "already": n, "held": n, "waiting": n}}
    summary = models.JSONField(default=dict, blank=True)
    # The first problems found, each {"sheet", "row", "column", "message"}; problem_count is all.
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    # When the uploaded file left storage: as soon as the run is finished, or a checked file
    # left unimported for IMPORT_CHECKED_KEEP_DAYS (importer.services.import_files_clear).
    file_removed_at = models.DateTimeField(null=True, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "check_queued",
                        "checking",
                        "problems",
                        "checked",
                        "import_queued",
                        "importing",
                        "imported",
                        "failed",
                    ]
                ),
                name="import_run_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.original_name} from {self.source}"

    def get_absolute_url(self):
        return reverse("importer:run", args=[self.pk])

    @property
    def in_progress(self):
        return self.status in self.IN_PROGRESS


class ImportedRecord(BaseModel):
    """A record brought in from a source system, by that system's own id: what makes a second
    run of the same file add nothing. Kept when the person is erased, so an old file run again
    never brings an erased record back (ADR 0030)."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        EPISODE = "episode", "Support period"
        ALLOCATION = "allocation", "Allocation"
        ASSESSMENT = "assessment", "NDT assessment"
        CONTACT = "contact", "Contact"
        EVENT = "event", "Crisis event"
        ACCOMMODATION = "accommodation", "Accommodation"
        REFERRAL = "referral", "Referral"

    source = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source_id = models.CharField(max_length=100)
    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="imported_records"
    )
    # The record made (or, for a person linked to someone already on the record, that person).
    object_id = models.UUIDField()
    run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="records", null=True, blank=True
    )
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["imported_at"]
        indexes = [models.Index(fields=["object_id"], name="imported_object")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="imported_once_per_source_id"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.source_id} from {self.source}"


class HeldPerson(BaseModel):
    """An incoming person who may be someone already on the record: held, never merged, until a
    person decides "the same person" (link) or "someone different" (create)."""

    class Decision(models.TextChoices):
        HELD = "held", "Waiting for a decision"
        LINKED = "linked", "Same person: linked"
        CREATED = "created", "Someone different: created"

    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="held")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="held_imports")
    source = models.CharField(max_length=100)
    source_id = models.CharField(max_length=100)
    # The row as the file gave it (column -> text), to make the person from if they are new.
    data = models.JSONField()
    candidate = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="held_imports"
    )
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.HELD)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=models.Q(decision="held"),
                name="held_once_per_source_id",
            ),
        ]

    def __str__(self):
        return f"{self.data.get('first_name', '')} {self.data.get('last_name', '')}".strip()

    @property
    def name(self):
        return str(self)
