"""Uploading a document to a person, opening it, changing its details and removing it. Every
file goes out through `download`, which checks the user may see it (Document.objects.visible_to)
and is written to the audit log; storage never gives out a URL of its own."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from caseload.models import Person
from documents import services
from documents.forms import EditForm, RemoveForm, UploadForm
from documents.models import Document
from smd.access import requires
from smd.audit.middleware import audit_person
from smd.forms import add_service_errors


def _render(request, template, context, form):
    return render(request, template, context, status=400 if form.errors else 200)


def _person(request, pk):
    person = Person.objects.visible_to(request.user).select_related("team").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def _uuid(value):
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _document(request, pk):
    document = get_object_or_404(
        Document.objects.visible_to(request.user).select_related("person"), pk=pk
    )
    audit_person(request, document.person_id)
    return document


@requires("can_upload_documents")
def upload(request, person_pk):
    person = _person(request, person_pk)
    initial = {}
    agreement = _uuid(request.GET.get("agreement"))
    if agreement and person.sharing_agreements.filter(pk=agreement).exists():
        # "Attach the signed form" on a sharing agreement: that agreement, a consent form.
        initial = {"sharing_agreement": str(agreement), "kind": Document.Kind.CONSENT}
    replaces = _uuid(request.GET.get("replaces"))
    earlier = person.documents.current().filter(pk=replaces).first() if replaces else None
    if earlier is not None:
        # "Upload a new version": the same kind and title, replacing it.
        initial = {"replaces": str(earlier.pk), "kind": earlier.kind, "title": earlier.title}
    form = UploadForm(request.POST or None, request.FILES or None, person=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_upload(
                person=person,
                checked=form.checked,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                dated=form.cleaned_data["dated"],
                shareable_with_mdt=form.cleaned_data["shareable_with_mdt"],
                by=request.user,
                **form.submission,
                **form.links,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Document uploaded.")
            return redirect(f"{person.get_absolute_url()}#documents-h")
    return _render(request, "documents/upload.html", {"person": person, "form": form}, form)


@require_GET
def download(request, pk):
    """The file itself: shown in the browser for a PDF or a picture, saved for anything else."""
    document = _document(request, pk)
    try:
        handle = default_storage.open(document.stored_name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=not document.inline,
        filename=document.download_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires("can_upload_documents")
def edit(request, pk):
    document = _document(request, pk)
    form = EditForm(
        request.POST or None,
        version_record=document,
        initial={
            "kind": document.kind,
            "title": document.title,
            "dated": document.dated,
            "shareable_with_mdt": document.shareable_with_mdt,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.document_edit(
                document=document,
                by=request.user,
                seen_version=form.seen_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Document details saved.")
            return redirect(f"{document.person.get_absolute_url()}#documents-h")
    return _render(
        request,
        "documents/edit.html",
        {"person": document.person, "document": document, "form": form},
        form,
    )


@requires("can_remove_documents")
def remove(request, pk):
    document = _document(request, pk)
    form = RemoveForm(request.POST or None, version_record=document)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_remove(
                document=document,
                by=request.user,
                reason=form.cleaned_data["reason"],
                seen_version=form.seen_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{document.title} removed.")
            return redirect(f"{document.person.get_absolute_url()}#documents-h")
    return _render(
        request,
        "documents/remove.html",
        {"person": document.person, "document": document, "form": form},
        form,
    )
