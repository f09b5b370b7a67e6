"""Consent and sharing on a person's page, and the register of data-sharing agreements."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from caseload.models import Person
from sharing import selectors, services
from sharing.forms import (
    DataSharingAgreementForm,
    LawfulBasisForm,
    SharingAgreementForm,
    WithdrawForm,
)
from sharing.models import DataSharingAgreement
from smd.access import requires
from smd.forms import add_service_errors
from smd.models import Organisation


def _render(request, template, context, form):
    return render(request, template, context, status=400 if form.errors else 200)


def _person(request, pk):
    """A person the user may see (else 404) and whose sharing they may record (else 403): team
    staff, not a peer mentor, who reads the section but does not change it."""
    person = Person.objects.visible_to(request.user).select_related("team").filter(pk=pk).first()
    if person is None:
        raise Http404
    if not request.user.in_team:
        raise PermissionDenied
    return person


def lawful_basis(request, person_pk):
    person = _person(request, person_pk)
    current = selectors.person_sharing(person)["basis"]
    initial = (
        {"article_6": current.article_6, "article_9": current.article_9, "notes": current.notes}
        if current
        else {}
    )
    form = LawfulBasisForm(request.POST or None, initial=initial, version_record=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.lawful_basis_record(
                person=person,
                by=request.user,
                replacing=current,
                seen_version=form.seen_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Lawful basis recorded.")
            return redirect(f"{person.get_absolute_url()}#sharing-h")
    return _render(
        request, "sharing/lawful_basis_form.html", {"person": person, "form": form}, form
    )


def agreement_new(request, person_pk):
    person = _person(request, person_pk)
    form = SharingAgreementForm(request.POST or None, team=person.team)
    if request.method == "POST" and form.is_valid():
        try:
            services.sharing_agreement_record(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Sharing agreement recorded.")
            return redirect(f"{person.get_absolute_url()}#sharing-h")
    return _render(request, "sharing/agreement_form.html", {"person": person, "form": form}, form)


def agreement_withdraw(request, person_pk, pk):
    person = _person(request, person_pk)
    agreement = get_object_or_404(person.sharing_agreements.select_related("organisation"), pk=pk)
    form = WithdrawForm(request.POST or None, version_record=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            removed = services.sharing_agreement_withdraw(
                agreement=agreement,
                reason=form.cleaned_data["reason"],
                by=request.user,
                seen_version=form.seen_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = f"Sharing with {agreement.organisation} withdrawn: it stops now."
            if removed:
                text += f" Taken off {removed} future MDT agenda{'s' if removed > 1 else ''}."
            messages.success(request, text)
            return redirect(f"{person.get_absolute_url()}#sharing-h")
    return _render(
        request,
        "sharing/withdraw.html",
        {"person": person, "agreement": agreement, "form": form},
        form,
    )


@requires("can_read_register")
def register(request):
    return render(
        request,
        "sharing/register.html",
        {
            "organisation": Organisation.objects.get(teams=request.user.team_id),
            "agreements": list(selectors.register_for(request.user)),
            "can_keep": request.user.can_keep_register,
        },
    )


@requires("can_keep_register")
def dsa_new(request):
    return _dsa_form(request, DataSharingAgreement())


@requires("can_keep_register")
def dsa_edit(request, pk):
    agreement = get_object_or_404(DataSharingAgreement.objects.visible_to(request.user), pk=pk)
    return _dsa_form(request, agreement)


def _dsa_form(request, agreement):
    own = request.user.team.organisation
    form = DataSharingAgreementForm(request.POST or None, instance=agreement, own_organisation=own)
    if request.method == "POST" and form.is_valid():
        try:
            services.data_sharing_agreement_save(
                agreement=form.save(commit=False),
                parties=form.cleaned_data["parties"],
                by=request.user,
                seen_version=form.seen_version,
                **(form.submission if "submission_key" in form.fields else {}),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Register updated.")
            return redirect("sharing:register")
    return _render(
        request,
        "sharing/dsa_form.html",
        {"form": form, "agreement": agreement, "adding": agreement._state.adding},
        form,
    )
