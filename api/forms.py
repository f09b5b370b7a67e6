from datetime import timedelta

from django import forms
from django.utils import timezone

from api.models import ApiToken
from smd.forms import PlainEnglishMixin, SubmissionKeyMixin

# A token lasts at most a year: the hub's access is looked at again at least that often.
LONGEST = timedelta(days=366)


class ApiTokenForm(SubmissionKeyMixin, PlainEnglishMixin, forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["system", "purpose", "expires_on", "identifiable", "lawful_basis"]
        fields += ["include_notes"]
        widgets = {
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "lawful_basis": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "lawful_basis": "Required for identifiable data: the UK GDPR Article 6 and 9 "
            "conditions and the data-sharing agreement that allow it.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Needed with identifiable data, so not "optional" (PlainEnglishMixin's word).
        self.fields["lawful_basis"].label = "Lawful basis (for identifiable data)"

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError("The expiry date must be today or later.")
        if day > today + LONGEST:
            raise forms.ValidationError("A token can last a year at most: choose an earlier date.")
        return day

    def clean(self):
        data = super().clean()
        if data.get("identifiable") and not (data.get("lawful_basis") or "").strip():
            self.add_error(
                "lawful_basis", "Identifiable data needs its lawful basis recorded here."
            )
        if data.get("include_notes") and not data.get("identifiable"):
            self.add_error(
                "include_notes",
                "Notes can name people, so they go only with identifiable data.",
            )
        return data
