"""Domestic-abuse forms: the DASH checklist built from the loaded wording, a MARAC referral,
what the MARAC agreed, and its actions."""

from django import forms
from django.conf import settings
from django.utils import timezone

from domestic_abuse.models import (
    Answer,
    AnswerSource,
    HighBecause,
    MaracReferral,
    RiskLevel,
    SharingBasis,
)
from smd.forms import PlainEnglishMixin, SubmissionKeyMixin
from smd.models import User
from smd.versioning import VersionedFormMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Enter a real date, like 22/11/2026."}


class DashForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    """The checklist as loaded: each question answered yes, no or not known, whose answer it
    is, and an optional note; then the assessor's professional judgement, with a reason."""

    completed_on = forms.DateField(label="Date completed", widget=DATE, error_messages=DATE_ERRORS)
    judgement = forms.ChoiceField(
        label="Your professional judgement of the risk",
        choices=[("", "Go by the answers")] + RiskLevel.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="High risk here makes the checklist high whatever the count. Below 14 yes, "
        "standard or medium is your judgement.",
    )
    judgement_reason = forms.CharField(
        label="Why (needed when you give a judgement)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, definition, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(definition.questions.all())
        if not self.is_bound:
            self.initial.setdefault("completed_on", timezone.localdate())
        for n, q in enumerate(self.questions, start=1):
            self.fields[f"q_{q.key}"] = forms.ChoiceField(
                label=f"{n}. {q.text}",
                choices=Answer.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": f"Question {n}: answer yes, no or not known."},
            )
            self.fields[f"src_{q.key}"] = forms.ChoiceField(
                label=f"Question {n}: whose answer",
                choices=AnswerSource.choices,
                initial=AnswerSource.PERSON,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": f"Question {n}: say whose answer it is."},
            )
            self.fields[f"note_{q.key}"] = forms.CharField(
                label=f"Question {n}: note (optional)", required=False, max_length=500
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("judgement") and not (cleaned.get("judgement_reason") or "").strip():
            self.add_error(
                "judgement_reason", "Say why, in your professional judgement, the risk is this."
            )
        return cleaned

    def question_rows(self):
        return [
            (n, q, self[f"q_{q.key}"], self[f"src_{q.key}"], self[f"note_{q.key}"])
            for n, q in enumerate(self.questions, start=1)
        ]

    def answers(self):
        data = self.cleaned_data
        return {
            q.key: (data[f"q_{q.key}"], data[f"src_{q.key}"], data.get(f"note_{q.key}", ""))
            for q in self.questions
        }


class MaracReferralForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    referred_on = forms.DateField(label="Date referred", widget=DATE, error_messages=DATE_ERRORS)
    marac = forms.ChoiceField(label="To which MARAC", choices=())
    criteria = forms.MultipleChoiceField(
        label="The criteria it meets",
        choices=[c for c in HighBecause.choices if c[0] != HighBecause.REPEAT],
        widget=forms.CheckboxSelectMultiple,
        help_text="A repeat referral within 12 months is recognised and added.",
        error_messages={"required": "Choose the criterion the referral meets."},
    )
    sharing_basis = forms.ChoiceField(
        label="Sharing with the MARAC",
        choices=SharingBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they agreed, or the lawful basis for sharing."},
    )
    lawful_basis = forms.CharField(
        label="Lawful basis for sharing without consent",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: a risk of serious harm or homicide (UK GDPR Article 6(1)(e), "
        "Data Protection Act 2018 Schedule 8).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["marac"].choices = [(name, name) for name in settings.MARACS]
        if not self.is_bound:
            self.initial.setdefault("referred_on", timezone.localdate())
            if len(settings.MARACS) == 1:
                self.initial.setdefault("marac", settings.MARACS[0])


class MaracHeardForm(VersionedFormMixin, PlainEnglishMixin, forms.ModelForm):
    class Meta:
        model = MaracReferral
        fields = ["heard_on", "outcome_note"]
        widgets = {"heard_on": DATE, "outcome_note": forms.Textarea(attrs={"rows": 4})}
        labels = {"heard_on": "Date the MARAC heard it", "outcome_note": "What the MARAC decided"}


class MaracActionForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    description = forms.CharField(label="Action the MARAC agreed", max_length=500)
    owner = forms.ModelChoiceField(label="Owner", queryset=User.objects.none())
    due_on = forms.DateField(label="Due", widget=DATE, error_messages=DATE_ERRORS)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(team=team, is_active=True).order_by(
            "first_name", "last_name"
        )
