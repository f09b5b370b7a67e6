"""Documents on the person's timeline (caseload.timeline): each current one, on its date of
upload."""

from caseload import timeline
from documents.models import Document


def register():
    """Registered by DocumentsConfig.ready()."""
    timeline.register_group("documents", "Documents", position=90)
    timeline.register(
        timeline.Source(
            kind="document",
            group="documents",
            template="documents/timeline/document.html",
            records=lambda person, user: Document.objects.current().filter(person=person),
            at="uploaded_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("uploaded_by"),
        )
    )
