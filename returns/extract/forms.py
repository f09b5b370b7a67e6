from django import forms
from django.utils import timezone

from smd.forms import PlainEnglishMixin, SubmissionKeyMixin
from smd.quarters import Quarter


def recent_quarters():
    """This quarter and the eleven before it, newest first."""
    quarters = [Quarter.containing(timezone.localdate())]
    for _ in range(11):
        quarters.append(quarters[-1].previous())
    return quarters


class ExtractRequestForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    quarter = forms.ChoiceField(label="Quarter")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        quarters = recent_quarters()
        self.fields["quarter"].choices = [
            (q.label, f"{q.label} ({q.months_label})") for q in quarters
        ]
        self.fields["quarter"].error_messages["invalid_choice"] = (
            "Choose one of the quarters listed."
        )
        self.initial.setdefault("quarter", quarters[1].label)

    def clean_quarter(self):
        return Quarter.from_label(self.cleaned_data["quarter"])
