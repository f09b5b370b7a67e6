"""Reads for documents, with their own eager loading."""

from django.core.files.storage import default_storage

from caseload.models import records_of
from documents.models import Document


def person_documents(person, user):
    """The person's current documents the user may open, newest first. One query."""
    return list(
        records_of(Document.objects.current(), person, user)
        .select_related("uploaded_by")
        .order_by("-dated", "-uploaded_at")
    )


def case_documents(item, user):
    """The documents an MDT case shows: the person's current documents marked shareable with
    the MDT, of those the user may open (a partner: only while the case itself is theirs to
    see). One query."""
    return list(
        Document.objects.visible_to(user)
        .filter(person_id=item.person_id, shareable_with_mdt=True)
        .order_by("-dated", "-uploaded_at")
    )


def document_files(document):
    """The file itself, for a subject access export: [(name in the archive, bytes)], named by
    the document's id so the data's record and its file go together. Nothing when the file is
    no longer in storage."""
    try:
        with default_storage.open(document.stored_name, "rb") as handle:
            return [(f"{document.pk}{document.extension}", handle.read())]
    except FileNotFoundError:
        return []
