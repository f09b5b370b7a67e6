from django import forms

from smd.notifications.models import Delivery
from smd.notifications.services import delivery_for, kinds
from smd.versioning import VersionedFormMixin


class PreferencesForm(VersionedFormMixin, forms.Form):
    """One choice of email for each kind the user may switch; security events are always
    emailed straight away and are listed, not offered."""

    def __init__(self, *args, settings_row, **kwargs):
        version_record = (
            settings_row if settings_row.pk and not settings_row._state.adding else None
        )
        super().__init__(*args, version_record=version_record, **kwargs)
        self.settings_row = settings_row
        self.fixed = [kind for kind in kinds() if kind.fixed]
        for kind in kinds():
            if kind.fixed:
                continue
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, initial=kind.default
            )
            if not self.is_bound:
                self.initial[kind.code] = delivery_for(
                    None, kind, chosen=settings_row.deliveries or {}
                )

    def stored_values(self, stored):
        return {
            kind.code: delivery_for(None, kind, chosen=stored.deliveries or {})
            for kind in kinds()
            if not kind.fixed
        }
