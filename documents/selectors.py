"""Reads for documents, with their own eager loading."""

from django.core.files.storage import default_storage

from caseload.models import records_of, was_read_for
from documents.models import Document
from smd.prepared import PreparedQuery


def _listed(documents):
    return documents.select_related("uploaded_by").order_by("-dated", "-uploaded_at")


# The person page's card, for a person read for the user: compiled once per process (ADR 0039).
_current_of_person = PreparedQuery(
    Document, lambda pk: _listed(Document.objects.current().filter(person_id=pk))
)


def person_documents(person, user):
    """The person's current documents the user may open, newest first. One query: compiled once
    per process when the person was read for this user, who may then open all of them."""
    if was_read_for(person, user):
        return _current_of_person.objects(person.pk)
    return list(_listed(records_of(Document.objects.current(), person, user)))


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
