"""Writes on people, episodes, allocations and contacts. Each runs in one transaction."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from caseload import capacity_cache
from caseload.access import may_change_episode
from caseload.capacity import capacity_of, places
from caseload.models import (
    Allocation,
    Contact,
    ContactKind,
    ContactVersion,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    PersonAlias,
)
from caseload.notifications import allocation_notify
from smd.models import PlanTarget, Role, User
from smd.submission import once_per_submission
from smd.versioning import UNCHECKED, EditConflict, version_claim, version_token


@transaction.atomic
def person_update(*, person, form, by):
    """Save the person's record and their other names together, or neither; refused when
    someone else saved it since the form was opened."""
    version_claim(record=form.instance, seen=form.seen_version)
    person = form.save(commit=False)
    if "approximate_age" in form.changed_data:
        person.approximate_age_recorded_on = (
            timezone.localdate() if person.approximate_age is not None else None
        )
    person.save()
    names = form.cleaned_data["other_names"]
    person.aliases.exclude(name__in=names).delete()
    existing = set(person.aliases.values_list("name", flat=True))
    PersonAlias.objects.bulk_create(
        PersonAlias(person=person, name=name) for name in names if name not in existing
    )
    return person


# --- episodes ----------------------------------------------------------------------------------


def _lock_episode(episode):
    return Episode.objects.select_for_update().get(pk=episode.pk)


def _set_status(episode, to_status, *, by, pause_reason="", note="", submission_key=None):
    EpisodeStatusChange.objects.create(
        submission_key=submission_key,
        episode=episode,
        from_status=episode.status,
        to_status=to_status,
        pause_reason=pause_reason,
        note=note.strip(),
        changed_by=by,
    )
    episode.status = to_status


def _assert_may_change(episode, by):
    if not may_change_episode(by, episode):
        raise PermissionDenied("Only the lead navigator or a team leader can change this support.")


def _episode_once():
    """A status change sent twice is one change; the repeat returns its episode."""
    return once_per_submission(
        EpisodeStatusChange,
        same=lambda change, *, episode, **_: change.episode_id == episode.pk,
        found=lambda change: change.episode,
    )


@transaction.atomic
@_episode_once()
def episode_pause(*, episode, by, pause_reason, note="", submission_key=None):
    """Pause active support (the person is in prison or hospital, or asked for a break)."""
    episode = _lock_episode(episode)
    _assert_may_change(episode, by)
    if episode.status != EpisodeStatus.ACTIVE:
        raise ValidationError("Only active support can be paused.")
    _set_status(
        episode,
        EpisodeStatus.PAUSED,
        by=by,
        pause_reason=pause_reason,
        note=note,
        submission_key=submission_key,
    )
    episode.save(update_fields=["status", "updated_at"])
    return episode


@transaction.atomic
@_episode_once()
def episode_resume(*, episode, by, note="", submission_key=None):
    episode = _lock_episode(episode)
    _assert_may_change(episode, by)
    if episode.status != EpisodeStatus.PAUSED:
        raise ValidationError("Only paused support can be resumed.")
    _set_status(episode, EpisodeStatus.ACTIVE, by=by, note=note, submission_key=submission_key)
    episode.save(update_fields=["status", "updated_at"])
    return episode


@transaction.atomic
@_episode_once()
def episode_close(
    *, episode, by, end_date, exit_destination, ending_planned, note="", submission_key=None
):
    """End support: where the person went, whether it was planned with them; every current
    allocation ends with it (so a peer mentor stops seeing the person)."""
    episode = _lock_episode(episode)
    _assert_may_change(episode, by)
    errors = {}
    if not episode.is_open:
        raise ValidationError("This episode is already closed.")
    if not exit_destination:
        errors["exit_destination"] = "Say where the person went when support ended."
    if ending_planned is None:
        errors["ending_planned"] = "Say whether the ending was planned with the person."
    if end_date is None:
        errors["end_date"] = "Give the date support ended."
    elif end_date > timezone.localdate():
        errors["end_date"] = "The end date can't be in the future."
    elif episode.start_date and end_date < episode.start_date:
        errors["end_date"] = (
            f"Support started on {episode.start_date:%-d %B %Y}: the end date can't be earlier."
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # A new version, so a hand-over form still open on one of them is refused (ADR 0023).
    episode.allocations.current().update(
        ended_at=now,
        ended_by=by,
        end_reason="Support ended.",
        updated_at=now,
        version=F("version") + 1,
    )
    capacity_cache.changed()  # an UPDATE sends no post_save: the people held changed
    _set_status(episode, EpisodeStatus.CLOSED, by=by, note=note, submission_key=submission_key)
    episode.end_date = end_date
    episode.exit_destination = exit_destination
    episode.ending_planned = ending_planned
    episode.closing_note = note.strip()
    episode.save()
    return episode


# --- allocation --------------------------------------------------------------------------------

KIND_ROLE = {
    Allocation.Kind.LEAD_NAVIGATOR: Role.NAVIGATOR,
    Allocation.Kind.PEER_MENTOR: Role.PEER_MENTOR,
}


def worker_load(worker, kind):
    """How many people the worker holds now, of the kind that counts against their capacity."""
    return Allocation.objects.holding().filter(worker=worker, kind=kind).count()


def would_go_over_capacity(*, worker, kind):
    load = worker_load(worker, kind)
    capacity = capacity_of(worker)
    return load + 1 > capacity, load, capacity


def _check_worker(episode, worker, kind):
    if not episode.is_open:
        raise ValidationError("This episode is closed: nobody can be allocated to it.")
    if worker.role != KIND_ROLE[kind] or not worker.is_active:
        raise ValidationError({"worker": f"Choose an active {KIND_ROLE[kind].label.lower()}."})
    if worker.team_id != episode.person.team_id:
        raise ValidationError({"worker": "That worker is in another team."})


def _new_allocation(
    *, episode, worker, kind, by, reason, over_capacity_reason, replaces=None, submission_key=None
):
    # Lock the worker while counting their load: two team leaders allocating different people
    # to the same worker at once must not both see a free place.
    User.objects.select_for_update().filter(pk=worker.pk).first()
    over, load, capacity = would_go_over_capacity(worker=worker, kind=kind)
    if over and not over_capacity_reason.strip():
        raise ValidationError(
            {
                "over_capacity_reason": (
                    f"{worker} would then hold {load + 1} people against a capacity of "
                    f"{places(capacity)}. Say why they should take this person anyway."
                )
            }
        )
    allocation = Allocation.objects.create(
        episode=episode,
        worker=worker,
        kind=kind,
        allocated_by=by,
        reason=reason.strip(),
        handed_over_from=replaces,
        over_capacity=over,
        over_capacity_reason=over_capacity_reason.strip() if over else "",
        submission_key=submission_key,
    )
    allocation_notify(allocation=allocation)
    if (
        kind == Allocation.Kind.LEAD_NAVIGATOR
        and episode.status == EpisodeStatus.AWAITING_ALLOCATION
    ):
        _set_status(episode, EpisodeStatus.ACTIVE, by=by, note=f"Allocated to {worker}.")
        episode.save(update_fields=["status", "updated_at"])
    return allocation


@transaction.atomic
@once_per_submission(Allocation, same=lambda row, *, episode, **_: row.episode_id == episode.pk)
def allocation_create(
    *, episode, worker, kind, by, reason="", over_capacity_reason="", submission_key=None
):
    """Allocate the first lead navigator or peer mentor. Over capacity warns, never blocks:
    it needs a reason, which is kept."""
    episode = _lock_episode(episode)
    _check_worker(episode, worker, kind)
    if episode.allocations.current().filter(kind=kind).exists():
        raise ValidationError({"worker": "Someone holds this already: hand over instead."})
    return _new_allocation(
        episode=episode,
        worker=worker,
        kind=kind,
        by=by,
        reason=reason,
        over_capacity_reason=over_capacity_reason,
        submission_key=submission_key,
    )


# An allocation or hand-over form sent again comes here (the first made someone the holder):
# its key finds the allocation the first one made.
@transaction.atomic
@once_per_submission(
    Allocation, same=lambda row, *, allocation, **_: row.episode_id == allocation.episode_id
)
def allocation_hand_over(
    *,
    allocation,
    to,
    by,
    reason,
    over_capacity_reason="",
    seen_version=UNCHECKED,
    submission_key=None,
):
    """Hand a person over to another worker: the old allocation ends, the new one records who
    it came from and why, so the history stays whole."""
    version_claim(record=allocation, seen=seen_version)
    episode = _lock_episode(allocation.episode)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.ended_at is not None:
        raise ValidationError("That allocation has already ended.")
    _check_worker(episode, to, allocation.kind)
    if to.pk == allocation.worker_id:
        raise ValidationError({"worker": f"{to} already holds this person."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the person is being handed over."})
    now = timezone.now()
    allocation.ended_at = now
    allocation.ended_by = by
    allocation.end_reason = reason.strip()
    allocation.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
    return _new_allocation(
        episode=episode,
        worker=to,
        kind=allocation.kind,
        by=by,
        reason=reason,
        over_capacity_reason=over_capacity_reason,
        replaces=allocation,
        submission_key=submission_key,
    )


@transaction.atomic
def allocation_end(*, allocation, by, reason, seen_version=UNCHECKED):
    """End an allocation without a successor (a peer mentor stepping back)."""
    version_claim(record=allocation, seen=seen_version)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.ended_at is not None:
        raise ValidationError("That allocation has already ended.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why this allocation is ending."})
    allocation.ended_at = timezone.now()
    allocation.ended_by = by
    allocation.end_reason = reason.strip()
    allocation.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
    return allocation


# --- contacts ----------------------------------------------------------------------------------


def _to_the_minute(moment):
    return moment.replace(second=0, microsecond=0)


def _same_contact(existing, *, person, by, occurred_at, kind, duration_minutes, summary, **_):
    """Whether a contact already made with this form's key is this one sent again. It is
    only a double submit if it says the same thing: a form reused (the browser's Back button)
    for a different contact must not vanish."""
    if existing.person_id != person.pk or existing.author_id != by.pk:
        return False
    sent = (_to_the_minute(occurred_at), kind, duration_minutes, summary.strip())
    # The form sends its time to the minute: compare at that precision.
    stored = (
        _to_the_minute(existing.occurred_at),
        existing.kind,
        existing.duration_minutes,
        existing.summary,
    )
    return stored == sent


@transaction.atomic
@once_per_submission(
    Contact,
    same=_same_contact,
    found=lambda contact: (contact, False),
    reused=(
        "This form was already used for another contact, so nothing was saved. Check what you "
        "typed and send it again to log it as a new contact."
    ),
    # Logging a contact writes only rows (the contact, its agencies, the episode's start):
    # a repeat's insert is refused by the unique key and rolled back, then the key looked up.
    insert_first=True,
)
def contact_log(
    *,
    person,
    by,
    submission_key,
    occurred_at,
    kind,
    duration_minutes,
    summary,
    with_person=True,
    agencies=(),
    topics=(),
    follow_up_action="",
    follow_up_due=None,
):
    """Record a contact. Returns (contact, created): the same form sent twice (a double tap,
    a retried request) finds the contact the first one made instead of adding another."""
    episode = person.episodes.open().select_for_update().first()
    contact = Contact(
        person=person,
        episode=episode,
        author=by,
        submission_key=submission_key,
        occurred_at=occurred_at,
        kind=kind,
        duration_minutes=duration_minutes,
        with_person=with_person,
        summary=summary.strip(),
        topics=list(topics),
        follow_up_action=follow_up_action.strip(),
        follow_up_due=follow_up_due,
    )
    contact.save()
    if agencies:  # a new contact has none yet: nothing to read and compare, as set() would
        contact.agencies.add(*agencies)
    # Support starts on the first day the person was actually reached, even when that contact
    # is logged after later ones (a backdated note).
    reached = timezone.localdate(occurred_at)
    if (
        episode is not None
        and kind != ContactKind.ATTEMPTED
        and (episode.start_date is None or reached < episode.start_date)
        and reached >= episode.accepted_on
    ):
        episode.start_date = reached
        episode.save(update_fields=["start_date", "updated_at"])
    return contact, True


def contact_edit_rule(user, contact, now=None):
    """Who may change a contact, and whether they must say why:
    (may_edit, reason_required). The author may correct it within the edit window; after
    that, and for anyone else's contact, only a team leader, with a reason."""
    now = now or timezone.now()
    window = timedelta(hours=settings.CONTACT_EDIT_WINDOW_HOURS)
    if contact.author_id == user.pk and user.is_active and now - contact.created_at <= window:
        return True, False
    if user.can_overrule and user.team_id == contact.person.team_id:
        return True, True
    return False, False


def _snapshot(contact, *, by, at, reason, number):
    return ContactVersion(
        contact=contact,
        number=number,
        occurred_at=contact.occurred_at,
        kind=contact.kind,
        duration_minutes=contact.duration_minutes,
        with_person=contact.with_person,
        agency_names=[org.name for org in contact.agencies.all()],
        summary=contact.summary,
        topics=contact.topics,
        follow_up_action=contact.follow_up_action,
        follow_up_due=contact.follow_up_due,
        edited_by=by,
        edited_at=at,
        edit_reason=reason,
    )


EDITABLE = [
    "occurred_at",
    "kind",
    "duration_minutes",
    "with_person",
    "summary",
    "topics",
    "follow_up_action",
    "follow_up_due",
]


@transaction.atomic
def contact_edit(*, contact, by, reason="", agencies=None, seen_version=UNCHECKED, **changes):
    """Change a contact, keeping what it said before as a new version (none when nothing
    changed)."""
    version_claim(record=contact, seen=seen_version)
    contact = Contact.objects.select_for_update().select_related("person").get(pk=contact.pk)
    may_edit, reason_required = contact_edit_rule(by, contact)
    if not may_edit:
        raise PermissionDenied
    reason = reason.strip()
    if reason_required and not reason:
        raise ValidationError({"reason": "Say why this contact is being changed."})
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"{', '.join(sorted(unknown))} cannot be edited")
    changes = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    same_agencies = agencies is None or {a.pk for a in agencies} == set(
        contact.agencies.values_list("pk", flat=True)
    )
    if same_agencies and all(getattr(contact, k) == v for k, v in changes.items()):
        return contact  # nothing changed: no new version to keep
    now = timezone.now()
    number = contact.versions.count() + 1
    _snapshot(contact, by=by, at=now, reason=reason, number=number).save()
    for name, value in changes.items():
        setattr(contact, name, value)
    contact.edited_at = now
    contact.full_clean(exclude=["person", "episode", "author", "agencies"])
    contact.save()
    if agencies is not None:
        contact.agencies.set(agencies)
    return contact


@transaction.atomic
def follow_up_done(*, contact, by):
    """Mark a contact's next action done (it then leaves the caseload's "next action")."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.follow_up_action and contact.follow_up_done_at is None:
        contact.follow_up_done_at = timezone.now()
        contact.follow_up_done_by = by
        contact.save(update_fields=["follow_up_done_at", "follow_up_done_by", "updated_at"])
    return contact


@transaction.atomic
@once_per_submission(
    PlanTarget, same=lambda row, *, team, year, **_: (row.team_id, row.year) == (team.pk, year)
)
def plan_target_set(*, team, year, people, by, seen=UNCHECKED, submission_key=None):
    """Set the delivery plan's target of people supported in a financial year: a year that has
    one gets the new number, unless it was set or changed since the page was opened (`seen`,
    the version tokens of the targets the page showed), which raises EditConflict."""
    target = PlanTarget.objects.select_for_update().filter(team=team, year=year).first()
    if seen is not UNCHECKED and target is not None and version_token(target) not in seen.split():
        raise EditConflict(target)
    if target is None:
        try:
            # A savepoint: a target for the year made at this moment by someone else is a
            # conflict like any other, not an error page.
            with transaction.atomic():
                return PlanTarget.objects.create(
                    team=team, year=year, people=people, set_by=by, submission_key=submission_key
                )
        except IntegrityError:
            if PlanTarget.objects.filter(submission_key=submission_key).exists():
                raise  # the same page sent twice at once: the key's own check answers it
            raise EditConflict(PlanTarget.objects.get(team=team, year=year)) from None
    target.people, target.set_by, target.submission_key = people, by, submission_key
    target.save(update_fields=["people", "set_by", "submission_key", "updated_at"])
    return target
