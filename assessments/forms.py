from django import forms
from django.utils import timezone

from assessments.models import Assessment
from smd.access import TEAM_ROLES
from smd.forms import PlainEnglishMixin, SubmissionKeyMixin
from smd.models import User
from smd.versioning import EditConflict, VersionedFormMixin


class AssessmentForm(SubmissionKeyMixin, VersionedFormMixin, PlainEnglishMixin, forms.Form):
    """One page for a whole scheme: each item a radio group of its descriptors, plus a note."""

    mark_optional = False  # item scores may be blank in a draft; completing names what is missing

    assessed_on = forms.DateField(
        label="Date of assessment",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    assessor = forms.ModelChoiceField(label="Assessor", queryset=User.objects.none())
    participation = forms.ChoiceField(
        label="Did the person take part?",
        choices=Assessment.Participation.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, scheme, team, correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.items = list(scheme.items.all())
        self.fields["assessor"].queryset = User.objects.filter(
            team=team, is_active=True, role__in=TEAM_ROLES
        ).order_by("first_name", "last_name")
        self.fields["assessed_on"].initial = timezone.localdate()
        for item in self.items:
            weight = f" (counts ×{item.weight})" if item.weight > 1 else ""
            self.fields[f"score_{item.key}"] = forms.TypedChoiceField(
                label=f"{item.title}{weight}",
                help_text=item.guidance,
                choices=[(n, f"{n} — {text}") for n, text in enumerate(item.levels)],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"note_{item.key}"] = forms.CharField(
                label=f"Note on {item.title.lower()} (optional)",
                required=False,
                max_length=500,
            )
        if correcting:
            self.fields["reason"] = forms.CharField(
                label="Why are you correcting this assessment?",
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="The assessment as it was is kept in its history.",
            )

    def stored_values(self, stored):
        return self.initial_from(stored)

    def item_rows(self):
        """(item, score field, note field) for the template, in scheme order."""
        return [(item, self[f"score_{item.key}"], self[f"note_{item.key}"]) for item in self.items]

    def scores(self):
        return {i.key: self.cleaned_data.get(f"score_{i.key}") for i in self.items}

    def notes(self):
        return {i.key: self.cleaned_data.get(f"note_{i.key}", "") for i in self.items}

    @classmethod
    def initial_from(cls, assessment):
        initial = {
            "assessed_on": assessment.assessed_on,
            "assessor": assessment.assessor_id,
            "participation": assessment.participation,
        }
        for score in assessment.scores.all():
            initial[f"score_{score.item.key}"] = score.score
            initial[f"note_{score.item.key}"] = score.note
        return initial

    def add_service_errors(self, error):
        """Put a service's ValidationError on the right fields (item keys map to score fields)."""
        if isinstance(error, EditConflict):
            self.show_conflict(error)
            return
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            field = key if key in self.fields else f"score_{key}"
            self.add_error(field if field in self.fields else None, messages)
