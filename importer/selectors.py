"""Reads on imports: a team's runs, one run, and the people held for a decision."""

from django.shortcuts import get_object_or_404

from importer.format import KINDS
from importer.models import HeldPerson, ImportedRecord, ImportRun
from importer.progress import progress_of


def import_runs(user):
    """The user's team's runs, newest first."""
    return ImportRun.objects.filter(team_id=user.team_id).select_related("uploaded_by")[:50]


def import_run(user, pk):
    """One of the team's runs (404 for another team's), with how far it has got."""
    run = get_object_or_404(
        ImportRun.objects.filter(team_id=user.team_id).select_related("uploaded_by"), pk=pk
    )
    run.progress = _percent(run)
    run.summary_rows = [
        (kind.label, run.summary[kind.sheet]) for kind in KINDS if kind.sheet in run.summary
    ]
    return run


def _percent(run):
    if run.status == ImportRun.Status.IMPORTED:
        return 100
    if not run.in_progress:
        return None
    known = progress_of(run.pk)
    if not known:
        return 0
    done, total = known
    return min(99, round(100 * done / total)) if total else 0


def held_waiting(user):
    """Held rows in the user's team waiting for a decision, each with its candidate."""
    return (
        HeldPerson.objects.filter(team_id=user.team_id, decision=HeldPerson.Decision.HELD)
        .select_related("candidate", "run")
        .order_by("created_at")
    )


def held_person(user, pk):
    return get_object_or_404(
        HeldPerson.objects.filter(team_id=user.team_id).select_related("candidate", "run"), pk=pk
    )


def person_import(person):
    """Where a person's record came from, if it was imported: the first ImportedRecord."""
    return (
        ImportedRecord.objects.filter(person=person, kind=ImportedRecord.Kind.PERSON)
        .order_by("imported_at")
        .first()
    )
