"""Writes for documents: storing an upload, changing its details, removing it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from documents.files import storage_name
from documents.models import Document
from smd.submission import create_once
from smd.versioning import UNCHECKED, version_claim

LINKS = ("sharing_agreement", "referral", "mdt_referral", "contact", "replaces")


def _check_links(person, links):
    for name, record in links.items():
        if record is not None and record.person_id != person.pk:
            raise ValidationError({name: "Choose a record of this person."})


def document_upload(
    *,
    person,
    checked,
    kind,
    title,
    dated,
    by,
    shareable_with_mdt=False,
    submission_key=None,
    **links,
):
    """Store a checked file (documents.files.check_upload) under a random name and record it.
    If the transaction fails after the file was stored, the file is deleted again."""
    unknown = set(links) - set(LINKS)
    if unknown:
        raise TypeError(f"Unknown links: {sorted(unknown)}")
    _check_links(person, links)
    replaces = links.get("replaces")
    if replaces is not None and not Document.objects.current().filter(pk=replaces.pk).exists():
        raise ValidationError({"replaces": "That document was already replaced or removed."})
    if dated > timezone.localdate():
        raise ValidationError({"dated": "The date cannot be in the future."})

    def create():
        name = default_storage.save(storage_name(checked), ContentFile(checked.data))
        try:
            document = Document(
                person=person,
                kind=kind,
                title=title.strip(),
                dated=dated,
                stored_name=name,
                content_type=checked.content_type,
                extension=checked.extension,
                size=len(checked.data),
                inline=checked.inline,
                shareable_with_mdt=shareable_with_mdt,
                uploaded_by=by,
                submission_key=submission_key,
                **links,
            )
            document.full_clean(exclude=["submission_key"])
            document.save()
        except Exception:
            default_storage.delete(name)
            raise
        return document

    with transaction.atomic():
        document, _ = create_once(Document, submission_key=submission_key, create=create)
    return document


@transaction.atomic
def document_edit(*, document, by, seen_version=UNCHECKED, **changes):
    """Change the title, kind, date or MDT sharing; refused if someone saved it since."""
    version_claim(record=document, seen=seen_version)
    for name in ("kind", "title", "dated", "shareable_with_mdt"):
        if name in changes:
            setattr(document, name, changes[name])
    document.title = document.title.strip()
    document.full_clean(exclude=["submission_key"])
    document.save()
    return document


@transaction.atomic
def document_remove(*, document, by, reason, seen_version=UNCHECKED):
    """Take a document out of lists and downloads, with a reason; it stays in the record's
    history. A team leader's call."""
    if not by.can_remove_documents:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why the document is being removed."})
    version_claim(record=document, seen=seen_version)
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.removed_at is not None:
        raise ValidationError("This document was already removed.")
    document.removed_at = timezone.now()
    document.removed_by = by
    document.removal_reason = reason.strip()
    document.save()
    return document
