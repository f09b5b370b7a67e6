from django import forms

from smd.forms import PlainEnglishMixin


class ExportForm(PlainEnglishMixin, forms.Form):
    format = forms.ChoiceField(
        label="Format",
        choices=[
            ("pdf", "PDF: readable, to give to the person"),
            ("json", "JSON: every field of every record, with a manifest"),
            ("zip", "ZIP: the PDF and the JSON, with the files of uploaded documents"),
        ],
        widget=forms.RadioSelect,
    )


class EraseForm(PlainEnglishMixin, forms.Form):
    reviews = forms.MultipleChoiceField(
        label="People to erase", widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        help_text="For example: retention period passed; no open support, referral or legal hold.",
    )
    confirm = forms.BooleanField(
        label="I have checked that these records are due for erasure. This cannot be undone."
    )

    def __init__(self, *args, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.reviews = {str(r.pk): r for r in reviews}
        self.fields["reviews"].choices = [(pk, str(r.person)) for pk, r in self.reviews.items()]
        self.fields["reviews"].error_messages["required"] = "Choose at least one person."
        self.fields["reviews"].error_messages["invalid_choice"] = (
            "Someone chosen is no longer on the list: look at the list again."
        )
        self.fields["confirm"].error_messages["required"] = "Tick to confirm."

    def chosen(self):
        return [self.reviews[pk] for pk in self.cleaned_data["reviews"]]
