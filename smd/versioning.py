"""Edits saved over a record someone else has changed since are refused, not applied (ADR 0023).

Every record a form edits in place carries a version number. The form sends back the version
it was opened on; the save claims the record only while that is still the stored version, so
of two people editing from the same page the second is shown what the first saved, next to
what they typed, and chooses again. Nothing they typed is lost and nothing is overwritten
unseen.
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Model
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.choices import flatten_choices

CONFLICT_MESSAGE = "Someone else saved this record since you opened it. Nothing was saved."


class Versioned(models.Model):
    """A record edited in place: each save of an existing row makes a new version."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Every save counts, not only those from a form: a status changed by a button must
        # also make an older form's copy stale. Services save rows they have just locked and
        # read, so the number they add one to is the stored one.
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    @property
    def version_token(self):
        return version_token(self)


class EditConflict(ValidationError):
    """The record changed since the editor opened it. A ValidationError, so a view that puts a
    service's errors on its form refuses the save the same way it refuses any other."""

    def __init__(self, stored):
        super().__init__(CONFLICT_MESSAGE, code="edit_conflict")
        self.stored = stored


class _Unchecked:
    def __repr__(self):
        return "UNCHECKED"


# What a service is given when no form was shown (a seed, another service): nothing to compare.
UNCHECKED = _Unchecked()


def version_token(record):
    """What a form carries: which record it was opened on, and which version of it. The record
    is named too, because some forms edit whichever row is current (the lead navigator's
    allocation), and a new row at version 1 must not pass for the old one."""
    return f"{record.pk}:{record.version}"


def version_claim(*, record, seen):
    """Claim `record` for a save over the version token `seen` the form was opened on, or
    raise EditConflict with what is stored now. Call inside the transaction that saves it."""
    if seen is UNCHECKED:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("version_claim must run inside the transaction that saves.")
    model = type(record)
    pk, _, version = str(seen or "").partition(":")
    # The conditional UPDATE is both the check and the lock: it matches only while the stored
    # version is the one the editor saw, and holds the row until this transaction ends, so of
    # two saves racing from the same version exactly one matches (the other, once the first
    # commits, finds the version moved on). It writes nothing new: the save that follows adds one.
    # A token that is not one this app wrote (edited by hand, cut short) is simply stale.
    well_formed = pk == str(record.pk) and version.isascii() and version.isdigit()
    version = int(version) if well_formed and len(version) <= 9 else None
    claimed = (
        version is not None
        and model._base_manager.filter(pk=record.pk, version=version).update(version=version) == 1
    )
    if not claimed:
        stored = model._base_manager.filter(pk=record.pk).first()
        if stored is None:
            raise ValidationError("This record was removed since you opened it. Nothing was saved.")
        raise EditConflict(stored)
    record.version = version


# --- forms -------------------------------------------------------------------------------------


def _shown(field, value):
    """A value as the person reads it on the form: labels rather than codes."""
    if value is None or value == "" or value == [] or value == ():
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(sorted(_shown(field, v) for v in value)) or "(blank)"
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%-d %B %Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(field, forms.ModelChoiceField):
        labels = {str(k): str(v) for k, v in flatten_choices(choices)}
        return labels.get(str(value), str(value))
    if isinstance(field, forms.ModelChoiceField):
        found = field.queryset.filter(pk=value).first() if value else None
        return str(found) if found else str(value)
    return str(value)


class VersionedFormMixin:
    """Sends back the version of the record the form was opened on, and, when the save is
    refused, shows what is stored now beside what the person typed (their typing stays in
    the form) and lets them save it again, deliberately, over the new version."""

    version_record = None
    conflict = None

    def __init__(self, *args, version_record=None, **kwargs):
        super().__init__(*args, **kwargs)
        record = version_record or getattr(self, "instance", None)
        if record is None or record._state.adding:
            return  # a new record: nobody else can have saved it yet
        self.version_record = record
        self.fields["version"] = forms.CharField(
            widget=forms.HiddenInput, required=False, max_length=100
        )
        if not self.is_bound:
            self.initial["version"] = version_token(record)

    def clean(self):
        cleaned = super().clean()
        # The version is for the save's check (seen_version), not one of the answers.
        if cleaned is not None:
            cleaned.pop("version", None)
        return cleaned

    @property
    def seen_version(self):
        """The version token the form was opened on ("" when the post left it out)."""
        return str(self.data.get(self.add_prefix("version")) or "")[:100]

    def stored_values(self, stored):
        """What each field of the form would show for the stored record."""
        values = model_to_dict(stored)
        return {name: values.get(name, getattr(stored, name, None)) for name in self.fields}

    def show_conflict(self, error):
        """Refuse the save on the form; the next save of this form is over the stored version."""
        self.conflict = error
        stored_values = self.stored_values(error.stored)
        cleaned = getattr(self, "cleaned_data", {})
        rows = []
        for name, field in self.fields.items():
            if name == "version" or field.disabled or isinstance(field.widget, forms.HiddenInput):
                continue
            if name not in stored_values:
                continue
            yours = cleaned.get(name, self[name].value())
            stored, typed = _shown(field, stored_values[name]), _shown(field, yours)
            if stored != typed:
                rows.append({"label": self[name].label, "stored": stored, "yours": typed})
        self.conflict_rows = rows
        self.stored_record = error.stored
        self.add_error(None, error)
        # Their typing stays; only the version moves on, so saving again is a choice made with
        # the stored version in front of them.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = version_token(error.stored)


# --- admin -------------------------------------------------------------------------------------


class VersionedAdminMixin:
    """The same check on an admin change page: a stale save is refused with both versions."""

    change_form_template = "admin/versioned_change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return base

        class VersionedAdminForm(VersionedFormMixin, base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, version_record=obj, **kwargs)

            def clean(self):
                cleaned = super().clean()
                # The admin saves in one transaction; claiming here holds the row until the
                # save that follows commits.
                try:
                    version_claim(record=self.instance, seen=self.seen_version)
                except EditConflict as conflict:
                    self.show_conflict(conflict)
                return cleaned

        return VersionedAdminForm
