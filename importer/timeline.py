"""Where a person's record came from, on their timeline (caseload.timeline): one entry for a
person brought in from a previous system (or linked to one), dated the import."""

from caseload import timeline
from importer.models import ImportedRecord


def register():
    """Registered by ImporterConfig.ready()."""
    timeline.register_group("imported", "Imported records", position=95)
    timeline.register(
        timeline.Source(
            kind="imported",
            group="imported",
            template="importer/timeline/imported.html",
            records=lambda person, user: ImportedRecord.objects.filter(
                person=person, kind=ImportedRecord.Kind.PERSON
            ),
            at="imported_at",
            same_for_anyone=True,
        )
    )
