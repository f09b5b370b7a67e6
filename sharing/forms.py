from datetime import timedelta

from django import forms
from django.utils import timezone

from sharing.models import (
    Article6Basis,
    Article9Condition,
    DataSharingAgreement,
    HowRecorded,
    Purpose,
)
from smd.forms import PlainEnglishMixin, SubmissionKeyMixin
from smd.models import Organisation
from smd.versioning import VersionedFormMixin


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 22/11/2026."},
        **kwargs,
    )


def _partners(exclude=None):
    qs = Organisation.objects.filter(is_active=True)
    return qs.exclude(pk=exclude) if exclude else qs


class LawfulBasisForm(SubmissionKeyMixin, VersionedFormMixin, PlainEnglishMixin, forms.Form):
    article_6 = forms.ChoiceField(
        label="Lawful basis for holding their record",
        choices=Article6Basis.choices,
        widget=forms.RadioSelect,
    )
    article_9 = forms.ChoiceField(
        label="Condition for holding health and other special-category information",
        choices=Article9Condition.choices,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="Notes", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SharingAgreementForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label="Which organisations",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one organisation."},
    )
    purpose = forms.ChoiceField(label="What for", choices=Purpose.choices, widget=forms.RadioSelect)
    how_recorded = forms.ChoiceField(
        label="How the person agreed", choices=HowRecorded.choices, widget=forms.RadioSelect
    )
    lawful_basis_reason = forms.CharField(
        label="Without agreement: the lawful basis and why it applies",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: safeguarding an adult at risk, and what the risk is.",
    )
    expires_on = _date_field(
        "Review or expiry date",
        help_text="Sharing stops after this day until the agreement is recorded again.",
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = _partners(exclude=team.organisation_id)
        self.fields["organisations"].error_messages["required"] = (
            "Choose at least one organisation."
        )
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + timedelta(days=365))
            self.initial.setdefault("purpose", Purpose.MDT)

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError("The review or expiry date must be in the future.")
        return value

    def clean(self):
        data = super().clean()
        if (
            data.get("how_recorded") == HowRecorded.WITHOUT_AGREEMENT
            and not (data.get("lawful_basis_reason") or "").strip()
        ):
            self.add_error(
                "lawful_basis_reason",
                "Say which lawful basis applies and why, for sharing without agreement.",
            )
        return data


class WithdrawForm(VersionedFormMixin, PlainEnglishMixin, forms.Form):
    reason = forms.CharField(
        label="What the person said, or why it ends",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def stored_values(self, stored):
        return {"reason": stored.withdrawal_reason}


class DataSharingAgreementForm(
    SubmissionKeyMixin, VersionedFormMixin, PlainEnglishMixin, forms.ModelForm
):
    start_on = _date_field("In force from")
    review_on = _date_field("Review by")
    ended_on = _date_field("Ended on", required=False, help_text="Only once it has ended.")

    class Meta:
        model = DataSharingAgreement
        fields = [
            "title",
            "parties",
            "purpose",
            "description",
            "start_on",
            "review_on",
            "ended_on",
            "document_location",
        ]
        widgets = {
            "parties": forms.CheckboxSelectMultiple,
            "purpose": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"parties": "Parties to the agreement", "purpose": "What for"}

    def __init__(self, *args, own_organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_organisation = own_organisation
        adding = self.instance._state.adding
        if not adding:
            del self.fields["submission_key"]  # an edit changes an entry, it adds none
        # Active organisations, and any party since made inactive, so an edit keeps it.
        self.fields["parties"].queryset = Organisation.objects.filter(is_active=True) | (
            Organisation.objects.none()
            if adding
            else Organisation.objects.filter(pk__in=self.instance.parties.all())
        )
        self.fields[
            "parties"
        ].help_text = (
            f"{own_organisation} must be one of them, with at least one other organisation."
        )
        self.fields["purpose"].choices = list(self.fields["purpose"].choices)[1:]
        if not self.is_bound and adding:
            self.initial["parties"] = [own_organisation.pk]

    def clean_parties(self):
        parties = self.cleaned_data["parties"]
        if self.own_organisation not in parties:
            raise forms.ValidationError(f"{self.own_organisation} must be one of the parties.")
        if len(parties) < 2:
            raise forms.ValidationError("Choose at least one other organisation.")
        return parties

    def clean(self):
        data = super().clean()
        start, review, ended = data.get("start_on"), data.get("review_on"), data.get("ended_on")
        if start and review and review < start:
            self.add_error("review_on", "The review date must be on or after the start date.")
        if start and ended and ended < start:
            self.add_error("ended_on", "The end date must be on or after the start date.")
        return data
