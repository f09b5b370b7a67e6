from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from appointments.models import AppointmentKind, Reminder
from smd.access import Role
from smd.forms import PlainEnglishMixin, SubmissionKeyMixin
from smd.models import User
from smd.versioning import VersionedFormMixin

# Who may be the staff member attending: the people who work with a person day to day.
ATTENDING_ROLES = [Role.NAVIGATOR, Role.PEER_MENTOR, Role.TEAM_LEADER]
# How far ahead an appointment can be booked; further is a typo in the year.
MAX_AHEAD = timedelta(days=366)


class DetailsMixin(forms.Form):
    """The appointment's details, for booking and for changing one."""

    on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 22/11/2026."},
    )
    start = forms.TimeField(
        label="Starts",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter a time, like 14:30."},
    )
    end = forms.TimeField(
        label="Ends",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter a time, like 15:30."},
    )
    kind = forms.ChoiceField(label="How", choices=AppointmentKind.choices, widget=forms.RadioSelect)
    place = forms.CharField(
        label="Where",
        max_length=200,
        help_text="Somewhere the person is safe to meet. Choose a place used before or type one.",
    )
    worker = forms.ModelChoiceField(label="Staff attending", queryset=User.objects.none())
    other_attendees = forms.CharField(
        label="Anyone else attending",
        max_length=300,
        required=False,
        help_text="Names or roles, for example “Sam from the housing team”.",
    )
    remind_before_hours = forms.TypedChoiceField(
        label="Remind me",
        choices=[("", "No reminder"), *Reminder.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def setup(self, person, places):
        self.fields["worker"].queryset = User.objects.filter(
            team_id=person.team_id, is_active=True, role__in=ATTENDING_ROLES
        ).order_by("first_name", "last_name")
        self.fields["worker"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["worker"].empty_label = None
        # The options read once: the page draws them from this list, not a query per rendering.
        self.fields["worker"].widget.choices = [
            (u.pk, u.get_full_name() or u.username) for u in self.fields["worker"].queryset
        ]
        self.places = places
        self.fields["place"].widget.attrs.update(
            {"list": f"places-{person.pk.hex[:8]}", "autocomplete": "off"}
        )

    def clean(self):
        cleaned = super().clean()
        on, start, end = cleaned.get("on"), cleaned.get("start"), cleaned.get("end")
        if on and start:
            starts_at = timezone.make_aware(datetime.combine(on, start))
            cleaned["starts_at"] = starts_at
            if starts_at > timezone.now() + MAX_AHEAD:
                self.add_error("on", "Check the year: that is more than a year ahead.")
            if end is not None:
                if end <= start:
                    self.add_error("end", "The end must be after the start.")
                else:
                    cleaned["ends_at"] = timezone.make_aware(datetime.combine(on, end))
            cleaned.setdefault("ends_at", None)
        return cleaned

    def booking_data(self):
        data = self.cleaned_data
        return {
            "worker": data["worker"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "kind": data["kind"],
            "place": data["place"],
            "other_attendees": data["other_attendees"],
            "remind_before_hours": data["remind_before_hours"],
        }

    @staticmethod
    def initial_from(appointment):
        starts = timezone.localtime(appointment.starts_at)
        ends = timezone.localtime(appointment.ends_at) if appointment.ends_at else None
        return {
            "on": starts.date(),
            "start": starts.time().replace(second=0, microsecond=0),
            "end": ends.time().replace(second=0, microsecond=0) if ends else None,
            "kind": appointment.kind,
            "place": appointment.place,
            "worker": appointment.worker_id,
            "other_attendees": appointment.other_attendees,
            "remind_before_hours": appointment.remind_before_hours or "",
        }


class BookForm(SubmissionKeyMixin, PlainEnglishMixin, DetailsMixin):
    def __init__(self, *args, person, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.setup(person, places)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on < timezone.localdate():
            raise forms.ValidationError(
                "That date has passed: log a contact for something that has happened."
            )
        return on


class ChangeForm(VersionedFormMixin, PlainEnglishMixin, DetailsMixin):
    def __init__(self, *args, person, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.setup(person, places)

    def stored_values(self, stored):
        return {name: value for name, value in self.initial_from(stored).items()}


class CancelForm(VersionedFormMixin, PlainEnglishMixin, forms.Form):
    reason = forms.CharField(
        label="Why it is cancelled",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the appointment is cancelled."},
    )


class OutcomeForm(VersionedFormMixin, forms.Form):
    """Did not attend: one button, carrying the version the page showed."""
