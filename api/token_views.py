"""The manager's pages for API tokens: the list, making one (its key shown once), revoking."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from api.forms import ApiTokenForm
from api.models import ApiToken
from api.services import api_token_create, api_token_revoke
from smd.access import requires
from smd.forms import add_service_errors


@requires("can_issue_api_tokens")
def tokens(request):
    return render(
        request,
        "api/tokens.html",
        {"tokens": ApiToken.objects.visible_to(request.user).select_related("created_by")},
    )


@requires("can_issue_api_tokens")
def token_new(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, key = api_token_create(
                team=request.user.team,
                by=request.user,
                system=data["system"],
                purpose=data["purpose"],
                expires_on=data["expires_on"],
                identifiable=data["identifiable"],
                lawful_basis=data["lawful_basis"],
                include_notes=data["include_notes"],
                **form.submission,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if key is None:
                messages.info(
                    request,
                    f"The token for {token.system} was already made, and its key shown once. "
                    "If it was not copied, revoke the token and make another.",
                )
                return redirect("api:tokens")
            # Shown in this answer only (never in a URL, the session or a log): a signed-in
            # page is never stored by the browser (smd.middleware.SessionLimitsMiddleware).
            return render(request, "api/token_made.html", {"token": token, "key": key})
    return render(
        request, "api/token_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
@requires("can_issue_api_tokens")
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, f"The token for {token.system} was revoked: it no longer works.")
    return redirect("api:tokens")
