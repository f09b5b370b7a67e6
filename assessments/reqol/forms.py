"""The ReQoL-10 form, built from the loaded definition."""

from django import forms
from django.utils import timezone

from assessments.reqol.models import ReqolRecord
from smd.forms import PlainEnglishMixin, SubmissionKeyMixin


class ReqolForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    """ReQoL-10 as loaded: the date, how it was filled in, and each statement with the five
    answers in the licensed wording."""

    completed_on = forms.DateField(
        label="Date filled in",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 22/11/2026."},
    )
    completion = forms.ChoiceField(
        label="How was it filled in?",
        choices=(),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, definition, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(definition.items.all())
        self.fields["completion"].choices = ReqolRecord.Completion.choices
        self.fields["completion"].error_messages["required"] = "Say how it was filled in."
        if not self.is_bound:
            self.initial.setdefault("completed_on", timezone.localdate())
        for n, item in enumerate(self.items, start=1):
            self.fields[f"item_{item.key}"] = forms.TypedChoiceField(
                label=f"{n}. {item.text}",
                choices=list(enumerate(definition.response_labels)),
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": f"Choose an answer for statement {n}."},
            )

    def item_rows(self):
        return [(item, self[f"item_{item.key}"]) for item in self.items]

    def responses(self):
        return {item.key: self.cleaned_data[f"item_{item.key}"] for item in self.items}
