from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from caseload.models import Person
from rights import erasure, selectors, services
from rights.collect import collect, name_of
from rights.forms import EraseForm, ExportForm
from smd import reauth
from smd.access import requires
from smd.audit.middleware import audit_recorded

# Exports and erasure (can_handle_rights) ask for the password again (smd.reauth), the erasure
# list too, so the erasure is not then refused.


CONTENT_TYPES = {"pdf": "application/pdf", "json": "application/json", "zip": "application/zip"}


def _no_store(response):
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    return response


def export(request, pk):
    """A subject access export of one person: a page saying what it holds, and the file."""
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("team"), pk=pk
    )
    if not request.user.can_handle_rights:
        raise PermissionDenied
    asking = reauth.ask_for_password(request)
    if asking is not None:
        return asking
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        body = services.person_export_file(person=person, by=request.user, fmt=fmt, request=request)
        audit_recorded(request)
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        # No name in the file name: it may be saved on a shared computer.
        stamp = timezone.localdate().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="subject-access-{stamp}.{fmt}"'
        return _no_store(response)
    found = collect([person.pk])
    contents = [(name_of(model), len(keys)) for model, keys in found.items()]
    status = 400 if form.errors else 200
    return _no_store(
        render(
            request,
            "rights/export.html",
            {"person": person, "form": form, "contents": contents},
            status=status,
        )
    )


def _retention_page(request, form, reviews, status=200):
    lines = erasure.preview(collect([r.person_id for r in reviews])) if reviews else []
    return _no_store(
        render(
            request,
            "rights/retention.html",
            {
                "form": form,
                "reviews": reviews,
                "preview": lines,
                "erased": selectors.recently_erased(request.user),
                "years": reviews[0].retention_years if reviews else None,
            },
            status=status,
        )
    )


@requires("can_handle_rights")
@reauth.recent_password_required()
def retention(request):
    """People whose record is past the retention period, and what erasing them would do."""
    reviews = list(selectors.retention_list(request.user))
    return _retention_page(request, EraseForm(reviews=reviews), reviews)


@requires("can_handle_rights")
@require_POST
@reauth.recent_password_required()
def retention_erase(request):
    reviews = list(selectors.retention_list(request.user))
    form = EraseForm(request.POST, reviews=reviews)
    if not form.is_valid():
        return _retention_page(request, form, reviews, status=400)
    erased, refused = services.retention_erase(
        reviews=form.chosen(), by=request.user, reason=form.cleaned_data["reason"], request=request
    )
    if erased:
        messages.success(request, f"Erased {len(erased)} record{'s' if len(erased) != 1 else ''}.")
    for _review, why in refused:
        messages.error(request, why)
    return redirect("rights:retention")
