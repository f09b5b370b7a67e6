import uuid
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from smd.submission import REUSED_CODE
from smd.validators import normalise_nhs_number, validate_nhs_number
from smd.versioning import EditConflict


def add_service_errors(form, error):
    """A service's ValidationError shown on the form, against the field it names (or the form
    as a whole), so the user's typing stays and the message sits where they look. A save
    refused because someone else saved first shows what they saved beside what was typed."""
    reused = any(e.code == REUSED_CODE for e in getattr(error, "error_list", ()))
    if reused and "submission_key" in form.fields:
        # Nothing was saved, and the answers differ from what the key made: sent again, the
        # form is a new record, so it gets a new key.
        form.renew_submission_key()
    if isinstance(error, EditConflict) and hasattr(form, "show_conflict"):
        form.show_conflict(error)
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class PlainEnglishMixin:
    """Optional questions say so, and field errors are ones a person can act on."""

    mark_optional = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            # Mark the optional questions rather than starring the required ones; a tick box
            # is a yes/no, not an optional question.
            label = str(f.label or "")
            if (
                self.mark_optional
                and label
                and "optional" not in label
                and not f.required
                and not isinstance(f, forms.BooleanField)
            ):
                f.label = f"{label} (optional)"
            f.error_messages["required"] = "This question needs an answer."
            if isinstance(f, forms.CharField) and f.max_length:
                f.error_messages["max_length"] = (
                    "This answer is too long: keep it to %(limit_value)s characters "
                    "(it has %(show_value)s)."
                )


EXPIRED_FORM = (
    "This page was out of date, so nothing was saved. Check what you typed and send it again."
)


class SubmissionKeyMixin:
    """A create form's one-time submission key (see smd.submission): a fresh random key in a
    hidden field when the form is shown, the same key when it is shown again with errors, so
    sending it twice records one thing. A post without a usable key (a page from before the
    key existed, a forged post) is refused and shown again with a new key and what was typed.
    Put it first among a form's bases."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # autocomplete off: a browser showing the page again from its history must not put an
        # old key back, where new answers typed over the old would be taken for the first record.
        self.fields["submission_key"] = forms.UUIDField(
            widget=forms.HiddenInput(attrs={"autocomplete": "off"})
        )
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4()

    def full_clean(self):
        super().full_clean()
        if self._errors is None or "submission_key" not in self._errors:
            return
        del self._errors["submission_key"]
        self.add_error(None, EXPIRED_FORM)
        self.renew_submission_key()

    def renew_submission_key(self):
        """Show the form again with a new key: what it is sent with next is a new record."""
        self.data = self.data.copy()
        self.data[self.add_prefix("submission_key")] = str(uuid.uuid4())

    def sent_key(self):
        """The key this post carries, if it is a usable one, before the form is checked."""
        try:
            return self.fields["submission_key"].clean(
                self.data.get(self.add_prefix("submission_key"))
            )
        except forms.ValidationError:
            return None

    @property
    def submission(self):
        """The key, as the service's keyword argument."""
        return {"submission_key": self.cleaned_data["submission_key"]}


class PersonIdentityMixin:
    """Date of birth and NHS number, checked the same way wherever a person is described."""

    def clean_date_of_birth(self):
        dob = self.cleaned_data.get("date_of_birth")
        if dob:
            today = timezone.localdate()
            if dob > today:
                raise forms.ValidationError("Date of birth must be in the past.")
            if today.year - dob.year > 110:
                raise forms.ValidationError("Check the year: that would make them over 110.")
        return dob

    def clean_nhs_number(self):
        value = normalise_nhs_number(self.cleaned_data.get("nhs_number"))
        if value:
            validate_nhs_number(value)
        return value


class LongSelect(forms.Select):
    """A single-choice <select> written out directly rather than through one template per
    option. The same markup as Django's Select; for lists that grow with the team (the MDT
    action owner: every staff member), where Django's rendering took seconds at 2,700 options."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = set(self.format_value(value))
        # The standard library's escape (the same five characters as Django's escape), once
        # per value and label: Django's per-call checks for safe strings cost more than the
        # rest of the page at this length.
        options = "".join(
            f'<option value="{escape(str(option))}"{" selected" if str(option) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for option, label in self.choices
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe(options))  # noqa: S308
