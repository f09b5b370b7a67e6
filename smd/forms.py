import uuid
from html import escape

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
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


# Django's widget templates that only include input.html (checked against Django 5.2).
_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in [
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
}


_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _widget_attrs(attrs):
    """Django's attrs.html: each attribute but those False, a True one as its bare name."""
    return "".join(
        f" {conditional_escape(name)}"
        + ("" if value is True else f'="{conditional_escape(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


class PlainWidgets(DjangoTemplates):
    """Django's own form renderer, writing the simplest widgets (an <input> of any type, a
    <textarea>, a <select> without option groups) directly, in the markup Django's templates
    give them, byte for byte; every other template (option groups, a radio list) as Django
    does.
    Through templates each such field cost two template renders and a loop over its
    attributes, about 0.3 ms; for forms drawn on every view of a busy page (ADR 0040). Use
    the one instance, `PLAIN_WIDGETS`: a renderer keeps its compiled templates."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is None:
            return super().render(template_name, context, request)
        if template_name in _INPUT_TEMPLATES:
            value = widget["value"]
            shown = "" if value is None else f' value="{conditional_escape(value)}"'
            return mark_safe(  # noqa: S308 - every value is escaped above
                f'<input type="{conditional_escape(widget["type"])}" '
                f'name="{conditional_escape(widget["name"])}"{shown}'
                f"{_widget_attrs(widget['attrs'])}>"
            )
        if template_name == "django/forms/widgets/textarea.html":
            value = widget["value"]
            return mark_safe(  # noqa: S308 - every value is escaped above
                f'<textarea name="{conditional_escape(widget["name"])}"'
                f"{_widget_attrs(widget['attrs'])}>\n{conditional_escape(value) if value else ''}"
                "</textarea>"
            )
        if template_name == "django/forms/widgets/select.html" and all(
            not group and all(o["template_name"] == _OPTION_TEMPLATE for o in options)
            for group, options, _ in widget["optgroups"]
        ):
            options = "".join(
                f'\n  <option value="{conditional_escape(o["value"])}"'
                f"{_widget_attrs(o['attrs'])}>{conditional_escape(o['label'])}</option>\n"
                for _, group_options, _ in widget["optgroups"]
                for o in group_options
            )
            return mark_safe(  # noqa: S308 - every value is escaped above
                f'<select name="{conditional_escape(widget["name"])}"'
                f"{_widget_attrs(widget['attrs'])}>{options}\n</select>"
            )
        return super().render(template_name, context, request)


PLAIN_WIDGETS = PlainWidgets()


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
