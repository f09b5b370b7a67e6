"""Importing records from a previous system (ADR 0030).

`records_import` reads a file's sheets in the order of `importer.format.KINDS`, checks every
row (people through the app's own person form, other records by their models' validation and
check constraints), and either lists what is wrong (the dry run, and any run with a problem) or
writes everything in one transaction, in batches of `BATCH` rows with `bulk_create`. Each record
it makes is kept in `ImportedRecord` by its source system's id, so running the same file again
adds nothing. An incoming person who may already be on the record (the triage's duplicate
matching) is held for a person to decide (`held_person_link`, `held_person_create`).
"""

import csv
import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments.models import Assessment, AssessmentScheme, ItemScore
from assessments.services import totals
from caseload import capacity_cache
from caseload.forms import PersonForm
from caseload.models import Allocation, Episode, EpisodeStatus, Person, PersonAlias
from importer import format as fmt
from importer.checking import constraint_errors, field_value
from importer.models import HeldPerson, ImportedRecord, ImportRun
from importer.progress import last_heartbeat
from importer.reading import FileRefused, as_text, open_sheets
from referrals.models import EligibilityDecision, Referral
from referrals.selectors import match_score, normalise_name
from smd.models import User
from smd.outbox.services import outbox_add
from smd.submission import once_per_submission
from smd.validators import normalise_nhs_number

log = logging.getLogger(__name__)

BATCH = 2000
PROGRESS_EVERY = 1000
# The problems kept to show: a file with thousands has one mistake repeated, and the first few
# hundred say what it is.
PROBLEMS_KEPT = 500
Kind = ImportedRecord.Kind

RULES = {
    "person_approximate_age_range": "An approximate age is between 16 and 120.",
    "episode_closed_has_destination": (
        "A closed support period needs end_date, exit_destination and ending_planned; an open "
        "one has none of them."
    ),
    "episode_ends_after_start": "end_date is before start_date.",
    "allocation_ends_after_start": "ended_at is before started_at.",
    "allocation_over_capacity_has_reason": "An allocation over capacity needs a reason.",
    "contact_duration_range": "duration_minutes is between 1 and 480.",
    "contact_summary_required": "summary needs an answer.",
    "contact_follow_up_due_has_action": "follow_up_due needs a follow_up_action.",
    "event_quantity_fits_kind": (
        "quantity is 1 for this kind of event; a stay (inpatient, custody, rough sleeping) is "
        "1 to 92 days or nights."
    ),
    "accommodation_other_has_note": "“Other” accommodation needs a note saying what it is.",
    "decision_eligible_meets_threshold": "An eligible decision needs 3 or more of the five.",
    "decision_discretion_below_threshold": "Accepting on discretion is for fewer than 3 of 5.",
    "decision_reason_required": "A decision on discretion or not eligible needs a reason.",
    "decision_signposting_required": "A not-eligible decision needs signposted_to.",
    "referral_accepted_has_person": "An accepted referral names its person.",
}


# When each record happened: none is imported from the future (the app's forms refuse it too).
WHEN = {
    fmt.CONTACTS.model: "occurred_at",
    fmt.EVENTS.model: "occurred_on",
    fmt.ACCOMMODATION.model: "from_date",
}
CLOCK_SKEW = timedelta(minutes=5)


def change_reason(source):
    return f"Imported from {source}"[:100]


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self):
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Outcome:
    """What a run found or did: counts per kind and every problem (the first PROBLEMS_KEPT)."""

    written: bool = False
    rows_total: int = 0
    summary: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self):
        return self.problem_count == 0

    def count(self, kind, what, n=1):
        counts = self.summary.setdefault(kind, {"rows": 0, "new": 0, "already": 0})
        counts[what] = counts.get(what, 0) + n


class _Rollback(Exception):
    """Problems found during the real run: the transaction is undone."""


HELD = "held"


@dataclass(frozen=True)
class _Failed:
    """A person or support period whose own row has problems: rows naming it say so once."""

    sheet: str
    row: int


@dataclass
class _Episode:
    pk: object
    person_pk: object
    person_source_id: str
    began: object  # start_date or accepted_on
    is_open: bool


class Importer:
    """One pass over a file. With `write`, inside one transaction; otherwise reads only."""

    def __init__(self, *, team, source, by, write, run=None, progress=None):
        self.team, self.source, self.by, self.write, self.run = team, source, by, write, run
        self.progress = progress or (lambda done, total: None)
        self.now = timezone.now()
        self.out = Outcome()
        self.done = 0
        self.people = {}  # person source id -> person pk, or HELD
        self.episodes = {}  # episode source id -> _Episode
        self.pending = defaultdict(list)  # model -> unsaved instances
        self.open_episode_people = set()
        self.current_allocations = set()
        self._staff = None
        self._imported = {}
        self._schemes = None

    # --- problems and counts ------------------------------------------------------------------

    def problem(self, sheet, row, column, message):
        self.out.problem_count += 1
        if len(self.out.problems) < PROBLEMS_KEPT:
            self.out.problems.append(Problem(sheet, row, column or "", str(message)).as_dict())

    def errors(self, sheet, row, error, columns=None):
        """A ValidationError's messages against their columns."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                column = (columns or {}).get(name, name)
                for message in messages:
                    self.problem(sheet, row, "" if column == "__all__" else column, message)
        else:
            for message in error.messages:
                self.problem(sheet, row, "", message)

    # --- what is already known ------------------------------------------------------------------

    def imported(self, kind):
        """{source id: object id} of this source's records of `kind` imported before: one
        query per kind per run."""
        if kind not in self._imported:
            self._imported[kind] = dict(
                ImportedRecord.objects.filter(source=self.source, kind=kind).values_list(
                    "source_id", "object_id"
                )
            )
        return self._imported[kind]

    @property
    def staff(self):
        if self._staff is None:
            self._staff = {}
            for user in User.objects.filter(team_id=self.team.pk):
                self._staff[user.username.lower()] = user.pk
                if user.email:
                    self._staff.setdefault(user.email.lower(), user.pk)
        return self._staff

    def staff_member(self, sheet, number, column, value):
        """The team member a cell names (username or email); blank is whoever runs the import."""
        if value in ("", None):
            return self.by.pk
        pk = self.staff.get(str(value).strip().lower())
        if pk is None:
            self.problem(
                sheet, number, column, f"No one in the team has the username or email “{value}”."
            )
        return pk

    # --- the run --------------------------------------------------------------------------------

    def run_sheets(self, sheets):
        self.out.rows_total = sum(s.rows_estimate for s in sheets)
        by_kind = defaultdict(list)
        for sheet in sheets:
            by_kind[sheet.kind].append(sheet)
        for kind in fmt.KINDS:
            for sheet in by_kind.get(kind.sheet, []):
                if not self._header_ok(kind, sheet):
                    continue
                self._sheet(kind, sheet)
                self._flush()
        self.progress(self.done, max(self.out.rows_total, self.done))
        return self.out

    def _header_ok(self, kind, sheet):
        header = [c for c in sheet.header if c]
        ok = True
        for column in kind.required:
            if column not in header:
                self.problem(sheet.label, 1, column, f"The column {column} is missing.")
                ok = False
        known = set(kind.all_columns)
        for column in header:
            if column not in known:
                self.problem(sheet.label, 1, column, f"{column} is not a column of {kind.sheet}.")
                ok = False
        for column, n in Counter(header).items():
            if n > 1:
                self.problem(sheet.label, 1, column, f"The column {column} appears {n} times.")
                ok = False
        return ok

    def _sheet(self, kind, sheet):
        handle = getattr(self, f"_{kind.sheet}")
        seen = {}
        rows = sheet.rows()
        while True:
            try:
                number, row = next(rows)
            except StopIteration:
                break
            except (UnicodeDecodeError, csv.Error, ValueError) as error:
                self.problem(sheet.label, None, "", f"The file could not be read further: {error}")
                break
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                self.progress(self.done, max(self.out.rows_total, self.done))
            self.out.count(kind.sheet, "rows")
            source_id = as_text(row.get("source_id")).strip()
            if not source_id:
                self.problem(sheet.label, number, "source_id", "Every row needs its source_id.")
                continue
            if len(source_id) > 100:
                self.problem(sheet.label, number, "source_id", "Keep source_id to 100 characters.")
                continue
            if source_id in seen:
                self.problem(
                    sheet.label,
                    number,
                    "source_id",
                    f"source_id {source_id} is also on row {seen[source_id]}.",
                )
                continue
            seen[source_id] = number
            already = self.imported(kind.record).get(source_id)
            if already is not None:
                self.out.count(kind.sheet, "already")
                if kind is fmt.PEOPLE:
                    self.people[source_id] = already
                continue
            person_pk = None
            if kind is not fmt.PEOPLE:
                person_pk = self._person_of(kind, sheet, number, row)
                if person_pk is None:
                    continue
                if person_pk is HELD:
                    self.out.count(kind.sheet, "waiting")
                    continue
            made = handle(sheet.label, number, row, source_id, person_pk)
            if made is None and kind in (fmt.PEOPLE, fmt.EPISODES):
                known = self.people if kind is fmt.PEOPLE else self.episodes
                known.setdefault(source_id, _Failed(sheet.label, number))
            if made is not None:
                self.out.count(kind.sheet, "new")
                self._record(kind, source_id, made)
            if len(self.pending[ImportedRecord]) >= BATCH:
                self._flush()

    def _person_of(self, kind, sheet, number, row):
        person_source_id = as_text(row.get("person_source_id")).strip()
        if not person_source_id:
            self.problem(sheet.label, number, "person_source_id", "Name the person's source_id.")
            return None
        pk = self.people.get(person_source_id)
        if pk is None:
            pk = self.imported(Kind.PERSON).get(person_source_id)
            if pk is not None:
                self.people[person_source_id] = pk
        if isinstance(pk, _Failed):
            self.problem(
                sheet.label,
                number,
                "person_source_id",
                f"Person {person_source_id} is not imported: see {pk.sheet}, row {pk.row}.",
            )
            return None
        if pk is None:
            self.problem(
                sheet.label,
                number,
                "person_source_id",
                f"No person with source_id {person_source_id} in this file or imported before "
                f"from {self.source}.",
            )
        return pk

    def _episode_of(self, sheet, number, row, person_pk, required):
        episode_source_id = as_text(row.get("episode_source_id")).strip()
        if not episode_source_id:
            if required:
                self.problem(
                    sheet, number, "episode_source_id", "Name the support period's source_id."
                )
                return None, False
            return None, True
        episode = self.episodes.get(episode_source_id)
        if isinstance(episode, _Failed):
            self.problem(
                sheet,
                number,
                "episode_source_id",
                f"Support period {episode_source_id} is not imported: see {episode.sheet}, "
                f"row {episode.row}.",
            )
            return None, False
        if episode is None:
            pk = self.imported(Kind.EPISODE).get(episode_source_id)
            if pk is not None:
                found = Episode.objects.filter(pk=pk).first()
                if found is not None:
                    episode = _Episode(
                        found.pk,
                        found.person_id,
                        "",
                        found.start_date or found.accepted_on,
                        found.is_open,
                    )
                    self.episodes[episode_source_id] = episode
        if episode is None:
            self.problem(
                sheet,
                number,
                "episode_source_id",
                f"No support period with source_id {episode_source_id} in this file or imported "
                f"before from {self.source}.",
            )
            return None, False
        if episode.person_pk != person_pk:
            self.problem(
                sheet,
                number,
                "episode_source_id",
                f"Support period {episode_source_id} belongs to someone else.",
            )
            return None, False
        return episode, True

    def _fill(self, sheet, number, row, instance, columns):
        """Set each column's value on the instance; False if any was wrong."""
        ok = True
        for column in columns:
            value = row.get(column)
            if value in (None, ""):
                continue
            model_field = instance._meta.get_field(column)
            try:
                setattr(instance, model_field.attname, field_value(model_field, value))
            except ValidationError as error:
                ok = False
                for message in error.messages:
                    self.problem(sheet, number, column, message)
        return ok

    def _validate(self, sheet, number, instance, exclude):
        """The model's own rules: every field's validation and its check constraints."""
        ok = True
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            self.errors(sheet, number, error)
            ok = False
        if ok:
            for name in constraint_errors(instance):
                self.problem(sheet, number, "", RULES.get(name, f"Breaks the rule {name}."))
                ok = False
        return ok

    def _record(self, kind, source_id, made):
        person_pk, object_pk = made
        self.pending[ImportedRecord].append(
            ImportedRecord(
                source=self.source,
                kind=kind.record,
                source_id=source_id,
                person_id=person_pk,
                object_id=object_pk,
                run=self.run,
                imported_at=self.now,
            )
        )

    def _flush(self):
        """Write what is waiting, parents first, when writing and nothing is wrong so far."""
        if not self.write or self.out.problem_count:
            self.pending.clear()
            return
        reason = change_reason(self.source)
        for model in (
            Person,
            PersonAlias,
            HeldPerson,
            Episode,
            Referral,
            EligibilityDecision,
            Allocation,
            Assessment,
            ItemScore,
            fmt.CONTACTS.model,
            fmt.EVENTS.model,
            fmt.ACCOMMODATION.model,
            ImportedRecord,
        ):
            objs = self.pending.pop(model, [])
            if not objs:
                continue
            if model is Referral:
                self._referrals_written(objs)
                continue
            if getattr(model, "history", None) is not None and hasattr(model.history, "model"):
                bulk_create_with_history(
                    objs,
                    model,
                    batch_size=BATCH,
                    default_user=self.by,
                    default_change_reason=reason,
                    default_date=self.now,
                )
            else:
                model.objects.bulk_create(objs, batch_size=BATCH)
        # Bulk inserts send no post_save: team capacity's cached totals are computed again.
        capacity_cache.changed()

    def _referrals_written(self, referrals):
        """Referrals keep when they were received (not the import's time), their person's name,
        and the support period each opened."""
        received = {r.pk: r.created_at for r in referrals}
        bulk_create_with_history(
            referrals,
            Referral,
            batch_size=BATCH,
            default_user=self.by,
            default_change_reason=change_reason(self.source),
            default_date=self.now,
        )
        for referral in referrals:
            referral.created_at = received[referral.pk]
        Referral.objects.bulk_update(referrals, ["created_at"], batch_size=BATCH)
        people = Person.objects.filter(pk=OuterRef("person_id"))
        Referral.objects.filter(pk__in=received).update(
            first_name=Subquery(people.values("first_name")[:1]),
            last_name=Subquery(people.values("last_name")[:1]),
        )
        opened = [
            Episode(pk=episode_pk, referral_id=referral.pk)
            for referral in referrals
            if (episode_pk := getattr(referral, "_opened", None))
        ]
        Episode.objects.bulk_update(opened, ["referral"], batch_size=BATCH)

    # --- people ---------------------------------------------------------------------------------

    def _matcher(self):
        if not hasattr(self, "_match_index"):
            self._match_index = Matcher(self.team)
        return self._match_index

    def _held(self):
        if not hasattr(self, "_held_ids"):
            self._held_ids = set(
                HeldPerson.objects.filter(
                    source=self.source, decision=HeldPerson.Decision.HELD
                ).values_list("source_id", flat=True)
            )
        return self._held_ids

    def _people(self, sheet, number, row, source_id, _):
        if source_id in self._held():
            self.people[source_id] = HELD
            self.out.count("people", "held")
            return None
        person, aliases = person_from_row(
            team=self.team, row=row, problem=lambda c, m: self.problem(sheet, number, c, m)
        )
        if person is None:
            return None
        match = self._matcher().best(person, aliases)
        if match is not None:
            self.people[source_id] = HELD
            self.out.count("people", "held")
            self._held().add(source_id)
            self.pending[HeldPerson].append(
                HeldPerson(
                    run=self.run,
                    team=self.team,
                    source=self.source,
                    source_id=source_id,
                    data={k: as_text(v) for k, v in row.items()},
                    candidate_id=match.person.pk,
                    score=match.score,
                    reasons=match.reasons,
                )
            )
            return None
        self.people[source_id] = person.pk
        self.pending[Person].append(person)
        self.pending[PersonAlias].extend(PersonAlias(person=person, name=a) for a in aliases)
        return person.pk, person.pk

    # --- support periods and allocations ------------------------------------------------------

    def _episodes(self, sheet, number, row, source_id, person_pk):
        episode = Episode(person_id=person_pk)
        columns = [c for c in fmt.EPISODES.columns if c not in ("source_id", "person_source_id")]
        if not self._fill(sheet, number, row, episode, columns):
            return None
        if not self._validate(sheet, number, episode, exclude=["person", "referral"]):
            return None
        if episode.is_open:
            if person_pk in self.open_episode_people or self._has_open_episode(person_pk):
                self.problem(
                    sheet, number, "status", "A person has one open support period at most."
                )
                return None
            self.open_episode_people.add(person_pk)
        self.episodes[source_id] = _Episode(
            episode.pk,
            person_pk,
            as_text(row.get("person_source_id")),
            episode.start_date or episode.accepted_on,
            episode.is_open,
        )
        self.pending[Episode].append(episode)
        return person_pk, episode.pk

    def _has_open_episode(self, person_pk):
        if not hasattr(self, "_open_before"):
            self._open_before = set(
                Episode.objects.filter(person__team_id=self.team.pk)
                .exclude(status=EpisodeStatus.CLOSED)
                .values_list("person_id", flat=True)
            )
        return person_pk in self._open_before

    def _referrals(self, sheet, number, row, source_id, person_pk):
        episode, ok = self._episode_of(sheet, number, row, person_pk, required=False)
        if not ok:
            return None
        referral = Referral(
            team=self.team,
            person_id=person_pk,
            channel=Referral.Channel.STAFF,
            consent=Referral.Consent.NOT_ASKED,
            why_now=f"Imported from {self.source}.",
            referrer_organisation_name=as_text(row.get("referrer_organisation")).strip()[:200],
        )
        columns = [
            "channel",
            "status",
            "consent",
            "homelessness",
            "mental_health",
            "substance_misuse",
            "offending",
            "domestic_abuse",
            "is_self_referral",
        ]
        if not self._fill(sheet, number, row, referral, columns):
            return None
        try:
            referral.created_at = field_value(
                Referral._meta.get_field("created_at"), row.get("received_at")
            )
        except ValidationError as error:
            for message in error.messages:
                self.problem(sheet, number, "received_at", message)
            return None
        decision = None
        if as_text(row.get("decision")).strip():
            by = self.staff_member(sheet, number, "decided_by", row.get("decided_by"))
            if by is None:
                return None
            decision = EligibilityDecision(
                referral_id=referral.pk,
                outcome=as_text(row.get("decision")).strip(),
                disadvantage_count=referral.disadvantage_count,
                reason=as_text(row.get("reason")).strip(),
                signposted_to=as_text(row.get("signposted_to")).strip(),
                decided_by_id=by,
            )
            if not self._fill(sheet, number, row, decision, ["decided_at"]):
                return None
            if not row.get("status"):
                referral.status = decision.outcome
        exclude = [
            "person",
            "team",
            "first_name",
            "last_name",
            "referrer_name",
            "referrer_contact",
            "referrer_organisation",
            "referred_by_user",
        ]
        if not self._validate(sheet, number, referral, exclude=exclude):
            return None
        if decision is not None:
            exclude = ["referral", "decided_by"]
            if not self._validate(sheet, number, decision, exclude=exclude):
                return None
        if referral.created_at > self.now + CLOCK_SKEW:
            self.problem(
                sheet, number, "received_at", "That is in the future: import what happened."
            )
            return None
        referral._opened = episode.pk if episode else None
        self.pending[Referral].append(referral)
        if decision is not None:
            self.pending[EligibilityDecision].append(decision)
        return person_pk, referral.pk

    def _allocations(self, sheet, number, row, source_id, person_pk):
        episode, ok = self._episode_of(sheet, number, row, person_pk, required=True)
        worker = self.staff_member(sheet, number, "worker", row.get("worker"))
        if not ok or worker is None:
            return None
        allocation = Allocation(episode_id=episode.pk, worker_id=worker, allocated_by=None)
        columns = ["kind", "started_at", "ended_at", "reason", "end_reason"]
        if not self._fill(sheet, number, row, allocation, columns):
            return None
        exclude = ["episode", "worker", "allocated_by", "handed_over_from", "ended_by"]
        if not self._validate(sheet, number, allocation, exclude=exclude):
            return None
        if allocation.ended_at is None:
            key = (episode.pk, allocation.kind)
            if key in self.current_allocations or self._has_current(key):
                self.problem(
                    sheet,
                    number,
                    "ended_at",
                    "A support period has one current allocation of each kind.",
                )
                return None
            self.current_allocations.add(key)
        self.pending[Allocation].append(allocation)
        return person_pk, allocation.pk

    def _has_current(self, key):
        if not hasattr(self, "_current_before"):
            self._current_before = set(
                Allocation.objects.current()
                .filter(episode__person__team_id=self.team.pk)
                .values_list("episode_id", "kind")
            )
        return key in self._current_before

    # --- NDT assessments ----------------------------------------------------------------------

    def schemes(self):
        if self._schemes is None:
            self._schemes = {}
            for scheme in AssessmentScheme.objects.prefetch_related(
                "items", "comparable_to__items"
            ):
                self._schemes[(scheme.code, scheme.version)] = scheme
                self._schemes.setdefault((scheme.name.lower(), scheme.version), scheme)
        return self._schemes

    def _assessments(self, sheet, number, row, source_id, person_pk):
        episode, ok = self._episode_of(sheet, number, row, person_pk, required=True)
        assessor = self.staff_member(sheet, number, "assessor", row.get("assessor"))
        try:
            version = int(as_text(row.get("scheme_version")))
        except ValueError:
            self.problem(sheet, number, "scheme_version", "Write the scheme's version number.")
            return None
        name = as_text(row.get("scheme")).strip()
        scheme = self.schemes().get((name, version)) or self.schemes().get((name.lower(), version))
        if scheme is None:
            self.problem(
                sheet, number, "scheme", f"No assessment scheme {name}, version {version}."
            )
            return None
        if not ok or assessor is None:
            return None
        assessment = Assessment(
            person_id=person_pk,
            episode_id=episode.pk,
            scheme=scheme,
            assessor_id=assessor,
            status=Assessment.Status.COMPLETED,
            completed_at=self.now,
        )
        if not self._fill(sheet, number, row, assessment, ["assessed_on", "participation"]):
            return None
        scores, good = {}, True
        for item in scheme.items.all():
            text = as_text(row.get(item.key)).strip()
            if not text:
                self.problem(sheet, number, item.key, f"Give a score for {item.title} (0 to 4).")
                good = False
                continue
            try:
                score = int(text)
            except ValueError:
                score = -1
            if not 0 <= score <= 4:
                self.problem(sheet, number, item.key, "A score is a whole number from 0 to 4.")
                good = False
                continue
            scores[item.key] = score
        if not good:
            return None
        if assessment.assessed_on:
            if assessment.assessed_on > timezone.localdate():
                self.problem(
                    sheet, number, "assessed_on", "The assessment date cannot be in the future."
                )
                return None
            if episode.began and assessment.assessed_on < episode.began:
                self.problem(
                    sheet,
                    number,
                    "assessed_on",
                    f"The assessment date is before its support period began ({episode.began}).",
                )
                return None
        assessment.total, assessment.standard_total = totals(scheme=scheme, scores=scores)
        exclude = ["person", "episode", "scheme", "assessor"]
        if not self._validate(sheet, number, assessment, exclude=exclude):
            return None
        self.pending[Assessment].append(assessment)
        self.pending[ItemScore].extend(
            ItemScore(assessment=assessment, item=item, score=scores[item.key])
            for item in scheme.items.all()
        )
        return person_pk, assessment.pk

    # --- contacts, crisis events, accommodation -----------------------------------------------

    def _in_future(self, instance):
        when = getattr(instance, WHEN[type(instance)], None)
        if isinstance(when, datetime):
            return when > self.now + CLOCK_SKEW
        return when is not None and when > timezone.localdate()

    def _simple(self, kind, sheet, number, row, person_pk, *, staff, columns, episode=True):
        made_episode = None
        if episode:
            made_episode, ok = self._episode_of(sheet, number, row, person_pk, required=False)
            if not ok:
                return None
        by = self.staff_member(sheet, number, staff, row.get(staff))
        if by is None:
            return None
        instance = kind.model(person_id=person_pk)
        setattr(instance, instance._meta.get_field(staff).attname, by)
        if episode:
            instance.episode_id = made_episode.pk if made_episode else None
        if not self._fill(sheet, number, row, instance, columns):
            return None
        exclude = ["person", "episode", staff, "follow_up_done_by", "agencies"]
        if not self._validate(sheet, number, instance, exclude=exclude):
            return None
        if self._in_future(instance):
            self.problem(
                sheet, number, WHEN[kind.model], "That is in the future: import what happened."
            )
            return None
        self.pending[kind.model].append(instance)
        return person_pk, instance.pk

    def _contacts(self, sheet, number, row, source_id, person_pk):
        columns = [
            "occurred_at",
            "kind",
            "duration_minutes",
            "with_person",
            "summary",
            "topics",
            "follow_up_action",
            "follow_up_due",
        ]
        return self._simple(
            fmt.CONTACTS, sheet, number, row, person_pk, staff="author", columns=columns
        )

    def _events(self, sheet, number, row, source_id, person_pk):
        columns = ["kind", "occurred_on", "quantity", "source", "note"]
        return self._simple(
            fmt.EVENTS, sheet, number, row, person_pk, staff="recorded_by", columns=columns
        )

    def _accommodation(self, sheet, number, row, source_id, person_pk):
        columns = ["status", "from_date", "note"]
        return self._simple(
            fmt.ACCOMMODATION,
            sheet,
            number,
            row,
            person_pk,
            staff="recorded_by",
            columns=columns,
            episode=False,
        )


# --- people: the person form, and matching ------------------------------------------------------

PERSON_COLUMNS = {"aliases": "other_names"}
PERSON_FORM_COLUMNS = {v: k for k, v in PERSON_COLUMNS.items()}


def _person_data(row):
    data = {}
    for column in fmt.PEOPLE.columns:
        value = row.get(column)
        if column in ("source_id", "approximate_age_recorded_on") or value in (None, ""):
            continue
        text = as_text(value)
        if column == "aliases":
            data["other_names"] = "\n".join(p.strip() for p in text.split(";"))
        elif column == "risk_flags":
            data["risk_flags"] = [p.strip() for p in text.split(";") if p.strip()]
        elif column == "wants_lived_experience":
            data[column] = "true" if text.strip().lower() in {"yes", "y", "true", "1"} else ""
        elif column == "date_of_birth":
            data[column] = text[:10]
        else:
            data[column] = text
    # A choice may be written as its label ("Woman"): the form takes the code.
    for name in (
        "safe_to_text",
        "safe_to_leave_voicemail",
        "gender",
        "gender_same_as_sex_at_birth",
        "ethnicity",
        "sexual_orientation",
        "religion",
        "disability",
        "interpreter_needed",
        "worker_gender_preference",
    ):
        if name in data:
            model_field = Person._meta.get_field(name)
            for code, label in model_field.choices:
                if data[name].lower() == str(label).lower():
                    data[name] = code
    data.setdefault("worker_gender_preference", "")
    for name in (
        "safe_to_text",
        "safe_to_leave_voicemail",
        "gender",
        "gender_same_as_sex_at_birth",
        "ethnicity",
        "sexual_orientation",
        "religion",
        "disability",
        "interpreter_needed",
    ):
        data.setdefault(name, Person._meta.get_field(name).default)
    return data


def person_from_row(*, team, row, problem):
    """(unsaved Person, alias names) from a people row, checked by the app's person form; or
    (None, []) with each problem reported as problem(column, message)."""
    instance = Person(team=team)
    # The form's model validation runs the constraints here, in Python, not a query a row.
    instance.validate_constraints = lambda exclude=None: _constraints(instance)
    form = PersonForm(data=_person_data(row), instance=instance)
    ok = form.is_valid()
    if not ok:
        for name, messages in form.errors.items():
            column = PERSON_FORM_COLUMNS.get(name, name)
            for message in messages:
                problem("" if column == "__all__" else column, message)
    recorded_on = row.get("approximate_age_recorded_on")
    if ok and form.cleaned_data.get("approximate_age") is not None:
        try:
            instance.approximate_age_recorded_on = (
                field_value(Person._meta.get_field("approximate_age_recorded_on"), recorded_on)
                if recorded_on not in (None, "")
                else timezone.localdate()
            )
        except ValidationError as error:
            problem("approximate_age_recorded_on", error.messages[0])
            ok = False
    if not ok:
        return None, []
    person = form.instance
    person.nhs_number = normalise_nhs_number(person.nhs_number)
    person.risk_flags = list(form.cleaned_data.get("risk_flags") or [])
    return person, form.cleaned_data.get("other_names") or []


def _constraints(instance):
    broken = constraint_errors(instance)
    if broken:
        raise ValidationError([RULES.get(name, f"Breaks the rule {name}.") for name in broken])


class Matcher:
    """The team's people, indexed once, for the triage's duplicate matching
    (`referrals.selectors.match_score`) against every incoming person without a query each."""

    def __init__(self, team):
        self.by_key = defaultdict(set)
        self.people = {}
        for person in Person.objects.filter(team_id=team.pk).prefetch_related("aliases"):
            self.people[person.pk] = person
            for key in self._keys(person, [a.name for a in person.aliases.all()]):
                self.by_key[key].add(person.pk)

    @staticmethod
    def _keys(person, aliases):
        keys = {("last", normalise_name(person.last_name))}
        for name in (person.first_name, person.known_as):
            if name:
                keys.add(("given", normalise_name(name)))
        if person.nhs_number:
            keys.add(("nhs", person.nhs_number))
        if person.date_of_birth:
            keys.add(("dob", person.date_of_birth))
        for alias in aliases:
            for word in normalise_name(alias).split():
                keys.add(("last", word))
        return keys

    def best(self, person, aliases):
        """The strongest probable match for an incoming person, or None."""
        incoming = SimpleNamespace(
            first_name=person.first_name,
            last_name=person.last_name,
            known_as=person.known_as,
            nhs_number=person.nhs_number,
            date_of_birth=person.date_of_birth,
        )
        keys = self._keys(person, aliases)
        dob = person.date_of_birth
        if dob and dob.day <= 12 and dob.day != dob.month:
            keys.add(("dob", dob.replace(month=dob.day, day=dob.month)))
        candidates = set()
        for key in keys:
            candidates |= self.by_key.get(key, set())
        matches = [m for m in (match_score(incoming, self.people[pk]) for pk in candidates) if m]
        matches.sort(key=lambda m: (-m.score, m.person.last_name))
        return matches[0] if matches else None


# --- running a file ------------------------------------------------------------------------------


def records_import(*, handle, name, team, source, by, write, run=None, progress=None):
    """Check (and with `write`, import) one file. Returns an Outcome; with a problem anywhere
    nothing is written. Raises FileRefused for a file the importer cannot read at all."""
    sheets = open_sheets(handle, name)
    importer = Importer(team=team, source=source, by=by, write=write, run=run, progress=progress)
    return sheets_import(importer=importer, sheets=sheets)


def sheets_import(*, importer, sheets):
    """Run the importer over the sheets: a dry run reads only; a real one writes everything in
    one transaction, or, with any problem, nothing."""
    if not importer.write:
        return importer.run_sheets(sheets)
    try:
        with transaction.atomic():
            outcome = importer.run_sheets(sheets)
            if not outcome.ok:
                raise _Rollback
            outcome.written = True
    except _Rollback:
        pass
    except IntegrityError as error:
        # A rule only the database knows (another import writing the same records at once):
        # nothing was written.
        importer.problem("", None, "", f"The database refused the records: {error}")
    return importer.out


# --- uploads, runs and the task ------------------------------------------------------------------


@transaction.atomic
@once_per_submission(ImportRun)
def import_upload(*, team, source, uploaded_file, by, submission_key=None):
    """Keep an uploaded file and queue its dry run, recorded in the same transaction."""
    uploaded_file.seek(0)
    stored = default_storage.save(
        f"imports/{uuid.uuid4().hex}{_suffix(uploaded_file.name)}",
        uploaded_file,
    )
    run = ImportRun.objects.create(
        team=team,
        source=source,
        original_name=uploaded_file.name[:200],
        stored_name=stored,
        uploaded_by=by,
        submission_key=submission_key,
    )
    outbox_add(task="importer.tasks.import_run_task", kwargs={"run_id": str(run.pk)})
    return run


def _suffix(name):
    return ".xlsx" if name.lower().endswith(".xlsx") else ".csv"


@transaction.atomic
def import_confirm(*, run, by):
    """Queue the real import of a file whose dry run found nothing wrong."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status == ImportRun.Status.IMPORT_QUEUED or run.status == ImportRun.Status.IMPORTING:
        return run  # asked twice: queued once
    if run.status != ImportRun.Status.CHECKED:
        raise ValidationError("Only a file checked without problems can be imported.")
    run.status = ImportRun.Status.IMPORT_QUEUED
    run.save(update_fields=["status", "updated_at"])
    outbox_add(task="importer.tasks.import_run_task", kwargs={"run_id": str(run.pk)})
    return run


def _stale(run):
    """A run left checking or importing with no word of progress for IMPORT_STALE_SECONDS: its
    worker died (the import's transaction rolled back with it), so it may be taken up again."""
    beat = last_heartbeat(run.pk)
    last = max(run.updated_at.timestamp(), beat or 0)
    return timezone.now().timestamp() - last > settings.IMPORT_STALE_SECONDS


def import_run_step(*, run_id, progress=None):
    """Do the step a run is waiting for: its dry run, or its import. Returns (run, finished):
    finished is False only while another worker is still at it, so the outbox message stays
    open and the sweep hands it over again later; a worker that died is noticed then."""
    Status = ImportRun.Status
    with transaction.atomic():
        run = (
            ImportRun.objects.select_for_update()
            .select_related("team", "uploaded_by")
            .get(pk=run_id)
        )
        waiting = run.status in (Status.CHECK_QUEUED, Status.IMPORT_QUEUED)
        abandoned = run.status in (Status.CHECKING, Status.IMPORTING) and _stale(run)
        if not (waiting or abandoned):
            return run, not run.in_progress
        write = run.status in (Status.IMPORT_QUEUED, Status.IMPORTING)
        run.status = Status.IMPORTING if write else Status.CHECKING
        run.save(update_fields=["status", "updated_at"])
    try:
        with default_storage.open(run.stored_name, "rb") as handle:
            outcome = records_import(
                handle=handle,
                name=run.original_name,
                team=run.team,
                source=run.source,
                by=run.uploaded_by,
                write=write,
                run=run,
                progress=progress,
            )
    except FileRefused as refused:
        run.status, run.error = Status.FAILED, refused.message
        run.save(update_fields=["status", "error", "updated_at"])
        transaction.on_commit(partial(_file_remove_or_leave, run.pk))
        return run, True
    run.rows_total = max(outcome.rows_total, sum(c["rows"] for c in outcome.summary.values()))
    run.summary, run.problems, run.problem_count = (
        outcome.summary,
        outcome.problems,
        outcome.problem_count,
    )
    if write:
        run.status = Status.IMPORTED if outcome.written else Status.FAILED
        run.imported_at = timezone.now() if outcome.written else None
        if not outcome.written:
            run.error = "Nothing was imported: the file has problems, listed below."
    else:
        run.status = Status.CHECKED if outcome.ok else Status.PROBLEMS
        run.checked_at = timezone.now()
    run.save()
    if run.status in ImportRun.FINISHED:
        transaction.on_commit(partial(_file_remove_or_leave, run.pk))
    return run, True


# --- the uploaded file leaves the server once nothing will read it ------------------------------


def import_file_remove(*, run_id):
    """Take a finished run's uploaded file off the server; True if it was there to take. Safe
    to run again: deleting a file storage no longer has does nothing, and the run records that
    its file went only after it has."""
    run = (
        ImportRun.objects.filter(pk=run_id, status__in=ImportRun.FINISHED)
        .exclude(stored_name="")
        .only("stored_name")
        .first()
    )
    if run is None:
        return False
    default_storage.delete(run.stored_name)
    now = timezone.now()
    ImportRun.objects.filter(pk=run_id, stored_name=run.stored_name).update(
        stored_name="", file_removed_at=now, updated_at=now
    )
    return True


def _file_remove_or_leave(run_id):
    """After a run finishes: its file goes now, or, if storage fails, at the daily sweep."""
    try:
        import_file_remove(run_id=run_id)
    except Exception:
        log.exception("Import %s: the file stays until the daily sweep removes it", run_id)


def import_files_clear(*, now=None):
    """The daily sweep (importer.tasks.import_files_clear_daily). A file checked without
    problems but not imported within IMPORT_CHECKED_KEEP_DAYS is given up, the run saying why;
    then every finished run's file still on the server leaves it. Returns how many went."""
    Status = ImportRun.Status
    days = settings.IMPORT_CHECKED_KEEP_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    expired = ImportRun.objects.filter(status=Status.CHECKED, checked_at__lt=cutoff).exclude(
        stored_name=""
    )
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            # Locked as import_confirm locks it: an import asked for meanwhile goes ahead.
            run = ImportRun.objects.select_for_update().get(pk=pk)
            if run.status != Status.CHECKED:
                continue
            run.status = Status.FAILED
            run.error = (
                f"Not imported within {days} days of its check, so the file was taken off the "
                "server. Send it again to import it."
            )
            run.save(update_fields=["status", "error", "updated_at"])
    left = ImportRun.objects.filter(status__in=ImportRun.FINISHED).exclude(stored_name="")
    return sum(import_file_remove(run_id=pk) for pk in left.values_list("pk", flat=True))


def import_run_record(*, run, outcome):
    """Keep what a command-line run found or did on its ImportRun."""
    run.summary, run.problems, run.problem_count = (
        outcome.summary,
        outcome.problems,
        outcome.problem_count,
    )
    run.rows_total = sum(c["rows"] for c in outcome.summary.values())
    run.status = ImportRun.Status.IMPORTED if outcome.written else ImportRun.Status.FAILED
    run.imported_at = timezone.now() if outcome.written else None
    if not outcome.written:
        run.error = "Nothing was imported: the file has problems, listed below."
    run.save()
    return run


def import_command_run(*, team, source, by, name):
    """The run a command-line import is recorded as, so the page lists it too."""
    return ImportRun.objects.create(
        team=team,
        source=source,
        original_name=name[:200],
        uploaded_by=by,
        status=ImportRun.Status.IMPORTING,
    )


# --- held people ----------------------------------------------------------------------------------


def _held_for_decision(held):
    held = HeldPerson.objects.select_for_update().get(pk=held.pk)
    if held.decision != HeldPerson.Decision.HELD:
        raise ValidationError(
            f"Already decided by {held.decided_by} ({held.get_decision_display().lower()})."
        )
    return held


def _decided(held, decision, by):
    held.decision, held.decided_by, held.decided_at = decision, by, timezone.now()
    held.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])


@transaction.atomic
def held_person_link(*, held, by):
    """The same person: their records in the file join the person already on the record."""
    held = _held_for_decision(held)
    ImportedRecord.objects.create(
        source=held.source,
        kind=Kind.PERSON,
        source_id=held.source_id,
        person_id=held.candidate_id,
        object_id=held.candidate_id,
        run=held.run,
        imported_at=timezone.now(),
    )
    _decided(held, HeldPerson.Decision.LINKED, by)
    return held.candidate


@transaction.atomic
def held_person_create(*, held, by):
    """Someone different: a new person made from the held row, checked as on import."""
    held = _held_for_decision(held)
    problems = []
    person, aliases = person_from_row(
        team=held.team, row=held.data, problem=lambda c, m: problems.append(f"{c}: {m}")
    )
    if person is None:
        raise ValidationError(problems)
    reason = change_reason(held.source)
    person._change_reason = reason
    person.save()
    for alias in aliases:
        made = PersonAlias(person=person, name=alias)
        made._change_reason = reason
        made.save()
    ImportedRecord.objects.create(
        source=held.source,
        kind=Kind.PERSON,
        source_id=held.source_id,
        person=person,
        object_id=person.pk,
        run=held.run,
        imported_at=timezone.now(),
    )
    _decided(held, HeldPerson.Decision.CREATED, by)
    return person
