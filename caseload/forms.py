from django import forms

from caseload.models import Person
from smd.characteristics import ethnicity_grouped_choices
from smd.forms import PersonIdentityMixin, PlainEnglishMixin


class PersonForm(PlainEnglishMixin, PersonIdentityMixin, forms.ModelForm):
    other_names = forms.CharField(
        label="Other names (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Previous names, street names or spellings they have used. One per line.",
    )
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20)

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "known_as",
            "other_names",
            "date_of_birth",
            "approximate_age",
            "nhs_number",
            "phone",
            "safe_to_text",
            "safe_to_leave_voicemail",
            "contact_notes",
            "gender",
            "gender_same_as_sex_at_birth",
            "ethnicity",
            "sexual_orientation",
            "religion",
            "disability",
            "preferred_language",
            "interpreter_needed",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contact_notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "approximate_age": "Only when the date of birth is not known.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = ethnicity_grouped_choices()
        if self.instance.pk and not self.is_bound:
            self.initial["other_names"] = "\n".join(a.name for a in self.instance.aliases.all())

    def clean_other_names(self):
        names = []
        for line in self.cleaned_data.get("other_names", "").splitlines():
            name = " ".join(line.split())
            if len(name) > 200:
                raise forms.ValidationError("Keep each name to 200 characters.")
            if name and name not in names:
                names.append(name)
        return names

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_of_birth") and cleaned.get("approximate_age") is not None:
            self.add_error("approximate_age", "Leave this blank when the date of birth is known.")
        return cleaned
