from django import forms

from importer.reading import FileRefused, check_file
from smd.forms import PlainEnglishMixin, SubmissionKeyMixin


class UploadForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    file = forms.FileField(
        label="File",
        help_text=(
            "An XLSX workbook with a sheet for each kind of record, or one CSV file named after "
            "what it holds (people.csv, contacts.csv, ...). See the import guide."
        ),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    source = forms.CharField(
        label="Source system",
        max_length=100,
        help_text=(
            "The system the records come from, the same each time: a file run again with the "
            "same source adds only what is new."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = "Choose the file to import."

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            check_file(uploaded, uploaded.name)
        except FileRefused as refused:
            raise forms.ValidationError(refused.message) from refused
        return uploaded

    def clean_source(self):
        return " ".join(self.cleaned_data["source"].split())
