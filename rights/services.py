from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caseload import capacity_cache
from caseload.models import Person
from rights import erasure
from rights.collect import collect
from rights.export import attached_files, person_export, to_json, to_pdf, to_zip
from rights.models import RetentionReview
from rights.selectors import due_for_erasure
from smd.audit.services import AuditAction, audit_record


def retention_review_run(*, team, today=None, dry_run=False):
    """Bring the team's retention list up to date: list the people now due, and take off the
    list anyone no longer due (a new referral, support reopened). With `dry_run`, say what
    would change and write nothing."""
    today = today or timezone.localdate()
    due = {d.person_id: d for d in due_for_erasure(team, today=today)}
    listed = dict(
        RetentionReview.objects.filter(team=team, status=RetentionReview.Status.DUE).values_list(
            "person_id", "pk"
        )
    )
    new = [d for pid, d in due.items() if pid not in listed]
    lapsed = [pk for pid, pk in listed.items() if pid not in due]
    if not dry_run:
        with transaction.atomic():
            RetentionReview.objects.filter(pk__in=lapsed).update(
                status=RetentionReview.Status.NO_LONGER_DUE, updated_at=timezone.now()
            )
            RetentionReview.objects.bulk_create(
                [
                    RetentionReview(
                        team=team,
                        person_id=d.person_id,
                        last_involvement_on=d.last_involvement_on,
                        due_on=d.due_on,
                        retention_years=settings.RETENTION_YEARS,
                    )
                    for d in new
                ]
            )
    return {"due": list(due.values()), "new": new, "no_longer_due": len(lapsed)}


def person_erase(*, review, by, reason, request=None):
    """Erase one listed person's record (ADR 0017): clear names, identifiers, contact details
    and every word typed, keep the rows and the dates, codes and scores the figures count,
    delete the history of the erased records. Checks again that the person is still due."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for erasing.")
    # One transaction, but a person found no longer due is taken off the list for good before
    # the refusal is raised, so the refusal cannot roll that back.
    with transaction.atomic():
        review = RetentionReview.objects.select_for_update().get(pk=review.pk)
        if review.status != RetentionReview.Status.DUE:
            raise ValidationError("This record is no longer on the retention list.")
        # Lock the person, then ask again: a referral or reopened support since the weekly
        # list takes them off it.
        person = Person.objects.select_for_update().get(pk=review.person_id)
        if due_for_erasure(review.team, people=Person.objects.filter(pk=person.pk)):
            return _erase(review, person, by=by, reason=reason, request=request)
        review.status = RetentionReview.Status.NO_LONGER_DUE
        review.save(update_fields=["status", "updated_at"])
    raise ValidationError(
        "A record chosen is no longer due for erasure (support or a referral since the list "
        "was made): it has been taken off the list."
    )


def _erase(review, person, *, by, reason, request):
    done, history = erasure.anonymise(collect([person.pk]))
    # The records are cleared by UPDATEs (no post_save), and an erased person leaves every
    # list of people: team capacity's list of people waiting among them.
    capacity_cache.changed()
    review.status = RetentionReview.Status.ERASED
    review.decided_at = timezone.now()
    review.decided_by = by
    review.reason = reason[:500]
    review.outcome = {"records": done, "history_rows_deleted": history}
    review.save()
    audit_record(
        user=by,
        action=AuditAction.ERASE,
        person=person.pk,
        obj=review,
        request=request,
        description="Record erased after the retention period",
    )
    return review


def retention_erase(*, reviews, by, reason, request=None):
    """Erase several listed people, each in its own transaction. Returns (erased, refused),
    refused as (review, why)."""
    erased, refused = [], []
    for review in reviews:
        try:
            erased.append(person_erase(review=review, by=by, reason=reason, request=request))
        except ValidationError as error:
            refused.append((review, " ".join(error.messages)))
    return erased, refused


def person_export_file(*, person, by, fmt, request=None):
    """A subject access export of `person` as "json" or "pdf" bytes, written to the audit log.
    Nothing is stored: the file goes straight to the manager who asked."""
    data, sections = person_export(person, by=by)
    if fmt == "zip":
        files = attached_files(collect([person.pk]))
        data["manifest"]["files"] = [name for name, _ in files]
        pdf = to_pdf(person, sections, data["manifest"])
        body = to_zip(to_json(data), pdf, files)
    else:
        body = to_json(data) if fmt == "json" else to_pdf(person, sections, data["manifest"])
    audit_record(
        user=by,
        action=AuditAction.EXPORT,
        person=person.pk,
        request=request,
        description=f"Subject access export ({fmt.upper()})",
    )
    return body
