"""Writes for the MDT. Each runs in one transaction."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from mdt.models import Action, AgendaItem, Invitation, MdtMeeting, MdtReferral, SharingBasis
from mdt.notifications import action_assigned_notify
from sharing.models import SharingAgreement
from smd.submission import once_per_submission
from smd.versioning import UNCHECKED, version_claim


@transaction.atomic
@once_per_submission(
    MdtReferral, same=lambda first, *, referral, **_: first.person_id == referral.person_id
)
def mdt_referral_create(*, referral, submission_key=None):
    """Record a request to discuss a person; it may wait without agreement, not be placed."""
    referral.submission_key = submission_key
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
@once_per_submission(
    MdtMeeting, same=lambda first, *, meeting, **_: first.team_id == meeting.team_id
)
def meeting_create(*, meeting, organisations, members, submission_key=None):
    """Plan a meeting and invite organisations and named members."""
    meeting.submission_key = submission_key
    meeting.full_clean()
    meeting.save()
    named = {m.organisation_id for m in members}
    Invitation.objects.bulk_create(
        [Invitation(meeting=meeting, organisation=m.organisation, member=m) for m in members]
        + [
            Invitation(meeting=meeting, organisation=org)
            for org in organisations
            if org.pk not in named
        ]
    )
    return meeting


def _latest_basis(person):
    """The agreement of the person's most recent MDT referral that has one."""
    referral = (
        MdtReferral.objects.filter(person=person)
        .exclude(sharing_basis=SharingBasis.NONE)
        .order_by("-created_at")
        .first()
    )
    return referral.sharing_basis if referral else None


def _assert_not_finished(meeting):
    # Read afresh: the caller's copy may predate the meeting being finished.
    meeting = MdtMeeting.objects.only("status").get(pk=meeting.pk)
    if meeting.status in {MdtMeeting.Status.HELD, MdtMeeting.Status.CANCELLED}:
        raise ValidationError(
            "This meeting has finished: its record is kept as it was. Plan the case for the next "
            "meeting."
        )


@transaction.atomic
@once_per_submission(
    AgendaItem,
    same=lambda item, *, meeting, person, **_: (
        (item.meeting_id, item.person_id) == (meeting.pk, person.pk)
    ),
)
def agenda_add(*, meeting, person, mdt_referral=None, minutes=12, submission_key=None):
    """Put a case on the agenda: a new case from its MDT referral, or a review of a person with
    open actions. Refused without the person's agreement or a recorded lawful basis on the
    referral, and without an MDT sharing agreement in force with at least one partner (ADR 0016):
    a person whose agreement was withdrawn or has expired is not placed."""
    # Lock the meeting: two cases added at once must not both take the same place.
    meeting = MdtMeeting.objects.select_for_update().get(pk=meeting.pk)
    _assert_not_finished(meeting)
    if mdt_referral is not None:
        mdt_referral = MdtReferral.objects.select_for_update().get(pk=mdt_referral.pk)
        if mdt_referral.status != MdtReferral.Status.PENDING:
            raise ValidationError("This MDT referral is not waiting for an agenda.")
        basis = mdt_referral.sharing_basis
        kind = AgendaItem.Kind.NEW
    else:
        basis = _latest_basis(person)
        kind = AgendaItem.Kind.REVIEW
    if basis in {None, SharingBasis.NONE}:
        raise ValidationError(
            "This person cannot be discussed yet: record their agreement, or the lawful basis "
            "for discussing them without it, on their MDT referral."
        )
    if not SharingAgreement.objects.in_force().for_mdt().filter(person=person).exists():
        raise ValidationError(
            "This person has no agreement to share their information at the MDT in force (none "
            "recorded, or it was withdrawn or has expired): record one under Consent and sharing "
            "on their page first."
        )
    if meeting.agenda.filter(person=person).exists():
        raise ValidationError("This person is already on the agenda.")
    last = meeting.agenda.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        person=person,
        kind=kind,
        mdt_referral=mdt_referral,
        sharing_basis=basis,
        position=last + 1,
        minutes=minutes,
        submission_key=submission_key,
    )
    if mdt_referral is not None:
        MdtReferral.objects.filter(pk=mdt_referral.pk).update(status=MdtReferral.Status.ON_AGENDA)
    return item


@transaction.atomic
def agenda_move(*, item, step):
    """Move a case up (-1) or down (+1) the agenda by swapping with its neighbour."""
    items = list(item.meeting.agenda.select_for_update().order_by("position"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + step
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    # Positions are unique per meeting only by convention, so renumber in one pass.
    for position, other in enumerate(items, start=1):
        if other.position != position:
            AgendaItem.objects.filter(pk=other.pk).update(position=position)


@transaction.atomic
def agenda_remove(*, item):
    _assert_not_finished(item.meeting)
    if item.actions.exists() or item.notes or item.decisions:
        raise ValidationError("This case has notes or actions recorded and stays on the agenda.")
    if item.mdt_referral_id:
        MdtReferral.objects.filter(pk=item.mdt_referral_id).update(
            status=MdtReferral.Status.PENDING
        )
    item.delete()


# No savepoint: called inside the withdrawal's transaction, it adds no statement of its own.
@transaction.atomic(savepoint=False)
def agenda_places_give_up(*, person_id):
    """The person has no MDT sharing agreement left in force: take them off future agendas not
    yet started, unless notes or actions are already recorded there (those the chair sees
    flagged); a new case's MDT referral waits again. Returns how many places were given up."""
    future = AgendaItem.objects.filter(
        person=person_id,
        meeting__status=MdtMeeting.Status.PLANNED,
        meeting__starts_at__gte=timezone.now(),
        notes="",
        decisions="",
    ).exclude(actions__isnull=False)
    items = list(future)
    referral_ids = [i.mdt_referral_id for i in items if i.mdt_referral_id]
    MdtReferral.objects.filter(pk__in=referral_ids).update(status=MdtReferral.Status.PENDING)
    AgendaItem.objects.filter(pk__in=[i.pk for i in items]).delete()
    return len(items)


@dataclass
class Conflict:
    """Someone else saved this case's notes since the version the writer started from."""

    theirs: AgendaItem
    yours: dict

    @property
    def merged(self):
        """What case_notes_merge would save now: offered to the writer to tidy and save."""
        return {
            "notes": text_merge(theirs=self.theirs.notes, yours=self.yours["notes"]),
            "decisions": text_merge(theirs=self.theirs.decisions, yours=self.yours["decisions"]),
            # One outcome only: the writer's choice if they made one, else the one saved.
            "outcome": self.yours["outcome"] or self.theirs.outcome,
        }


@transaction.atomic
def case_notes_save(*, item, version, notes, decisions, outcome, by):
    """Save the discussion of a case unless someone else saved it since `version`: then nothing
    is written and the caller gets a Conflict to show both versions side by side. The writer's
    own earlier saves (an autosave still in flight when they press Save) are not a conflict:
    the form they send holds everything they typed."""
    current = _locked_notes(item)
    if current.version != version and current.saved_by_id != by.pk:
        return Conflict(
            theirs=current, yours={"notes": notes, "decisions": decisions, "outcome": outcome}
        )
    return _notes_write(current, by=by, notes=notes, decisions=decisions, outcome=outcome)


@transaction.atomic
def case_notes_merge(*, item, notes, decisions, outcome, by):
    """The way out of a conflict: save what is stored now with the writer's text folded in
    (text_merge). It reads the stored text under the row lock, so no one's saved words are
    dropped, whichever version the writer's screen started from (ADR 0011)."""
    current = _locked_notes(item)
    return _notes_write(
        current,
        by=by,
        **Conflict(
            theirs=current, yours={"notes": notes, "decisions": decisions, "outcome": outcome}
        ).merged,
    )


def text_merge(*, theirs, yours):
    """Their text with yours folded in, line by line: a line both have is kept once, a line of
    yours that carries one of theirs further replaces it where it stands, and any other line of
    yours follows their text. Every word of both survives."""
    if not yours.strip() or yours.strip() in theirs:
        return theirs
    if theirs.strip() in yours:
        return yours
    lines = theirs.splitlines()
    added = []
    for line in yours.splitlines():
        mine = line.strip()
        if not mine or any(old.strip().startswith(mine) for old in lines):
            continue
        grown = next(
            (i for i, old in enumerate(lines) if old.strip() and mine.startswith(old.strip())),
            None,
        )
        if grown is None:
            added.append(line)
        else:
            lines[grown] = line
    merged = "\n".join(lines).rstrip()
    return merged + "\n\n" + "\n".join(added) if added else merged


def _locked_notes(item):
    current = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("saved_by")
        .get(pk=item.pk)
    )
    _assert_not_finished(current.meeting)
    return current


def _notes_write(current, *, by, notes, decisions, outcome):
    AgendaItem.objects.filter(pk=current.pk).update(
        notes=notes,
        decisions=decisions,
        outcome=outcome,
        version=F("version") + 1,
        saved_at=timezone.now(),
        saved_by=by,
    )
    current.refresh_from_db()
    return current


@transaction.atomic
@once_per_submission(Action, same=lambda action, *, item, **_: action.agenda_item_id == item.pk)
def action_add(*, item, description, owner, owner_organisation, due_on, by, submission_key=None):
    _assert_not_finished(item.meeting)
    action = Action(
        agenda_item=item,
        person=item.person,
        description=description,
        owner=owner,
        owner_organisation=owner_organisation,
        due_on=due_on,
        created_by=by,
        submission_key=submission_key,
    )
    action.full_clean()
    action.save()
    action_assigned_notify(action=action, by=by)
    return action


@transaction.atomic
def action_update(*, action, done=None, progress_note=None, by, seen_version=UNCHECKED):
    """Mark an action done or reopen it, and/or record progress; None leaves that part alone.
    Marking a done action done again keeps the day it was first done."""
    if done is None and progress_note is None:
        return action  # nothing asked for: nothing to check, nothing written
    version_claim(record=action, seen=seen_version)
    action = Action.objects.select_for_update().get(pk=action.pk)
    fields = ["updated_at"]
    if done is True and action.done_at is None:
        action.done_at = timezone.now()
        fields.append("done_at")
    elif done is False and action.done_at is not None:
        action.done_at = None
        fields.append("done_at")
    if progress_note is not None:
        action.progress_note = progress_note
        fields.append("progress_note")
    action.save(update_fields=fields)
    return action


@transaction.atomic
def attendance_record(*, meeting, attendance):
    """attendance: {invitation id: Invitation.Attendance value}."""
    for invitation in meeting.invitations.all():
        value = attendance.get(str(invitation.pk))
        if value is not None and value != invitation.attendance:
            invitation.attendance = value
            invitation.save(update_fields=["attendance", "updated_at"])


@transaction.atomic
def meeting_start(*, meeting):
    if meeting.status == MdtMeeting.Status.PLANNED:
        meeting.status = MdtMeeting.Status.IN_PROGRESS
        meeting.save(update_fields=["status", "updated_at"])
    return meeting


@transaction.atomic
def meeting_finish(*, meeting):
    if meeting.status not in {MdtMeeting.Status.PLANNED, MdtMeeting.Status.IN_PROGRESS}:
        raise ValidationError("This meeting has already finished.")
    meeting.status = MdtMeeting.Status.HELD
    meeting.finished_at = timezone.now()
    meeting.save(update_fields=["status", "finished_at", "updated_at"])
    return meeting


@transaction.atomic
def agenda_share(*, meeting):
    meeting.agenda_shared_at = meeting.agenda_shared_at or timezone.now()
    meeting.save(update_fields=["agenda_shared_at", "updated_at"])
    return meeting
