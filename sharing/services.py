"""Writes for consent and information sharing. Each runs in one transaction; nothing is ever
deleted, so the record shows what was agreed, withdrawn or ended, when and by whom."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharing.models import (
    DataSharingAgreement,
    HowRecorded,
    LawfulBasis,
    Purpose,
    SharingAgreement,
)
from sharing.signals import mdt_sharing_ended
from smd.submission import once_per_submission
from smd.versioning import UNCHECKED, EditConflict, version_claim


@transaction.atomic
@once_per_submission(LawfulBasis, same=lambda first, *, person, **_: first.person_id == person.pk)
def lawful_basis_record(
    *,
    person,
    article_6,
    article_9,
    notes="",
    by,
    replacing=None,
    seen_version=UNCHECKED,
    submission_key=None,
):
    """Record (or change) the basis for holding the person's record: a new row each time.
    `replacing` is the basis in force when the form was opened, if there was one."""
    if replacing is not None:
        version_claim(record=replacing, seen=seen_version)
        # A basis recorded since replaces this one: the form was opened on an older page.
        if LawfulBasis.objects.filter(
            person=person, recorded_at__gt=replacing.recorded_at
        ).exists():
            raise EditConflict(LawfulBasis.objects.filter(person=person).latest("recorded_at"))
    basis = LawfulBasis(
        person=person,
        article_6=article_6,
        article_9=article_9,
        notes=notes,
        recorded_by=by,
        submission_key=submission_key,
    )
    basis.full_clean()
    basis.save()
    return basis


@transaction.atomic
@once_per_submission(
    SharingAgreement,
    same=lambda first, *, person, **_: first.person_id == person.pk,
    found=lambda first: [first],
)
def sharing_agreement_record(
    *,
    person,
    organisations,
    purpose,
    how_recorded,
    expires_on,
    lawful_basis_reason="",
    by,
    submission_key=None,
):
    """One agreement per partner organisation, all recorded at the same moment. The form's key
    is on the first."""
    if not organisations:
        raise ValidationError({"organisations": "Choose at least one organisation."})
    if expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": "The review or expiry date must be in the future."})
    if how_recorded == HowRecorded.WITHOUT_AGREEMENT and not lawful_basis_reason.strip():
        raise ValidationError(
            {
                "lawful_basis_reason": "Say which lawful basis applies and why, for sharing "
                "without the person's agreement."
            }
        )
    if how_recorded != HowRecorded.WITHOUT_AGREEMENT:
        lawful_basis_reason = ""
    now = timezone.now()
    agreements = [
        SharingAgreement(
            person=person,
            organisation=organisation,
            purpose=purpose,
            how_recorded=how_recorded,
            lawful_basis_reason=lawful_basis_reason.strip(),
            expires_on=expires_on,
            recorded_at=now,
            recorded_by=by,
            submission_key=submission_key if i == 0 else None,
        )
        for i, organisation in enumerate(organisations)
    ]
    for agreement in agreements:
        agreement.full_clean()
    return SharingAgreement.objects.bulk_create(agreements)


@transaction.atomic
def sharing_agreement_withdraw(*, agreement, reason="", by, seen_version=UNCHECKED):
    """Withdraw an agreement: it stops counting at once (every read checks). When the person has
    no MDT agreement left in force, `mdt_sharing_ended` says so in this transaction and the MDT
    gives up their places on future agendas (mdt.services.agenda_places_give_up). Returns how
    many agenda places were given up."""
    version_claim(record=agreement, seen=seen_version)
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.withdrawn_at is not None:
        raise ValidationError("This agreement was already withdrawn.")
    agreement.withdrawn_at = timezone.now()
    agreement.withdrawn_by = by
    agreement.withdrawal_reason = reason.strip()
    agreement.save(
        update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"]
    )
    if agreement.purpose != Purpose.MDT:
        return 0
    if SharingAgreement.objects.in_force().for_mdt().filter(person=agreement.person_id).exists():
        return 0
    given_up = mdt_sharing_ended.send(sender=SharingAgreement, person_id=agreement.person_id)
    return sum(places for _, places in given_up)


@transaction.atomic
@once_per_submission(
    DataSharingAgreement, same=lambda first, *, by, **_: first.recorded_by_id == by.pk
)
def data_sharing_agreement_save(
    *, agreement, parties, by, seen_version=UNCHECKED, submission_key=None
):
    """Add to the register (the form's key adds it once), or change an entry (review date, end,
    where it is held)."""
    if agreement._state.adding:
        agreement.recorded_by = by
        agreement.submission_key = submission_key
    else:
        version_claim(record=agreement, seen=seen_version)
    agreement.full_clean()
    agreement.save()
    agreement.parties.set(parties)
    return agreement
