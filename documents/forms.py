from django import forms
from django.utils import timezone

from documents.files import ACCEPT, FileRefused, check_upload
from documents.models import Document
from smd.forms import PlainEnglishMixin, SubmissionKeyMixin
from smd.versioning import VersionedFormMixin


def _date_field(label):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 22/11/2026."},
    )


class DetailsMixin(forms.Form):
    kind = forms.ChoiceField(label="What it is", choices=Document.Kind.choices)
    title = forms.CharField(label="Title", max_length=200)
    dated = _date_field("Date on the document")
    shareable_with_mdt = forms.BooleanField(
        label="Partners at the MDT may see it",
        required=False,
        help_text="Only while the person's sharing agreement with their organisation is in force.",
    )

    def clean_dated(self):
        dated = self.cleaned_data["dated"]
        if dated > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return dated


class UploadForm(SubmissionKeyMixin, PlainEnglishMixin, DetailsMixin):
    """A new document for a person. The links offer only that person's own records."""

    file = forms.FileField(
        label="File",
        help_text="A PDF, a photo (JPEG or PNG) or a Word document. On a phone you can take a photo.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": "Choose the file to upload."},
    )
    sharing_agreement = forms.ModelChoiceField(
        label="Sharing agreement", queryset=None, required=False
    )
    referral = forms.ModelChoiceField(label="Referral", queryset=None, required=False)
    mdt_referral = forms.ModelChoiceField(label="MDT case", queryset=None, required=False)
    contact = forms.ModelChoiceField(label="Contact", queryset=None, required=False)
    replaces = forms.ModelChoiceField(
        label="Replaces an earlier upload", queryset=None, required=False
    )

    field_order = [
        "file",
        "kind",
        "title",
        "dated",
        "shareable_with_mdt",
        "sharing_agreement",
        "referral",
        "mdt_referral",
        "contact",
        "replaces",
    ]

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget = forms.FileInput(attrs={"accept": ACCEPT})
        self.fields["file"].error_messages["required"] = "Choose the file to upload."
        self.fields["sharing_agreement"].queryset = person.sharing_agreements.select_related(
            "organisation"
        )
        self.fields["referral"].queryset = person.referrals.all()
        self.fields["mdt_referral"].queryset = person.mdt_referrals.all()
        self.fields["contact"].queryset = person.contacts.order_by("-occurred_at")
        self.fields["replaces"].queryset = person.documents.current()
        labels = {
            "sharing_agreement": lambda a: (
                f"{a.organisation}: {a.get_purpose_display()}, {a.recorded_at:%d/%m/%Y}"
            ),
            "referral": lambda r: f"{r.reference}, {r.created_at:%d/%m/%Y}",
            "mdt_referral": lambda r: f"Referred {r.created_at:%d/%m/%Y}: {r.why_now[:60]}",
            "contact": lambda c: f"{c.get_kind_display()}, {c.occurred_at:%d/%m/%Y %H:%M}",
            "replaces": lambda d: f"{d.title}, {d.dated:%d/%m/%Y}",
        }
        for name, label in labels.items():
            self.fields[name].label_from_instance = label
        self.checked = None

    def clean_file(self):
        try:
            self.checked = check_upload(self.cleaned_data["file"])
        except FileRefused as refused:
            raise forms.ValidationError(refused.message, code="refused") from refused
        return self.cleaned_data["file"]

    @property
    def links(self):
        return {
            name: self.cleaned_data.get(name)
            for name in ("sharing_agreement", "referral", "mdt_referral", "contact", "replaces")
        }


class EditForm(VersionedFormMixin, PlainEnglishMixin, DetailsMixin):
    pass


class RemoveForm(VersionedFormMixin, PlainEnglishMixin, forms.Form):
    reason = forms.CharField(
        label="Why it is being removed",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the document is being removed."},
    )
