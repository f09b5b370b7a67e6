from datetime import timedelta

from django import forms
from django.utils import timezone

from caseload.models import (
    CONTACT_MAX_MINUTES,
    Contact,
    ContactKind,
    ExitDestination,
    PauseReason,
    Person,
    RiskFlag,
    Topic,
    WorkerGender,
)
from smd.characteristics import ethnicity_grouped_choices
from smd.forms import PersonIdentityMixin, PlainEnglishMixin, SubmissionKeyMixin
from smd.models import Organisation
from smd.quarters import financial_year_label
from smd.versioning import VersionedFormMixin, version_token


class PersonSearchForm(forms.Form):
    """The people search. A NUL character cannot be searched for (PostgreSQL refuses it in a
    query), so it is refused with a message rather than failing the page."""

    q = forms.CharField(
        required=False,
        error_messages={
            "null_characters_not_allowed": (
                "Your search has a hidden control character in it (NUL) that cannot be "
                "searched for. Clear the box and type the name again."
            )
        },
    )

    def clean_q(self):
        return self.cleaned_data["q"][:100]


class PersonForm(VersionedFormMixin, PlainEnglishMixin, PersonIdentityMixin, forms.ModelForm):
    other_names = forms.CharField(
        label="Other names (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Previous names, street names or spellings they have used. One per line.",
    )
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20)

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "known_as",
            "other_names",
            "date_of_birth",
            "approximate_age",
            "nhs_number",
            "phone",
            "safe_to_text",
            "safe_to_leave_voicemail",
            "safe_to_phone",
            "safe_to_write",
            "safe_to_visit",
            "safe_time",
            "code_word",
            "abuser_may_be_present",
            "contact_notes",
            "gender",
            "gender_same_as_sex_at_birth",
            "ethnicity",
            "sexual_orientation",
            "religion",
            "disability",
            "preferred_language",
            "interpreter_needed",
            "worker_gender_preference",
            "wants_lived_experience",
            "allocation_notes",
            "risk_flags",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contact_notes": forms.Textarea(attrs={"rows": 2}),
            "worker_gender_preference": forms.RadioSelect,
        }
        labels = {
            "worker_gender_preference": "Would they like a worker who is",
            "wants_lived_experience": "They would like someone with lived experience",
            "allocation_notes": "Anything else about who they work well with",
        }
        help_texts = {
            "approximate_age": "Only when the date of birth is not known.",
            "allocation_notes": "For example: not someone from their own community.",
        }

    risk_flags = forms.MultipleChoiceField(
        label="Before seeing them, workers should know",
        choices=RiskFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Shown on the caseload and the person page. Put the detail in the record.",
    )

    # Safe-contact answers a post leaves out (a page from before they were asked) keep what is
    # stored; nothing else about the form changes.
    SAFE_CONTACT_CHOICES = [
        "safe_to_phone",
        "safe_to_write",
        "safe_to_visit",
        "abuser_may_be_present",
    ]

    def _kept_if_left_out(self, name):
        if self.add_prefix(name) not in self.data:
            return getattr(self.instance, name)
        return self.cleaned_data[name]

    def clean_safe_to_phone(self):
        return self._kept_if_left_out("safe_to_phone")

    def clean_safe_to_write(self):
        return self._kept_if_left_out("safe_to_write")

    def clean_safe_to_visit(self):
        return self._kept_if_left_out("safe_to_visit")

    def clean_abuser_may_be_present(self):
        return self._kept_if_left_out("abuser_may_be_present")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = ethnicity_grouped_choices()
        for name in self.SAFE_CONTACT_CHOICES:
            self.fields[name].required = False
        self.fields["worker_gender_preference"].choices = WorkerGender.choices
        # "No preference" is one of the answers, so the question is not marked optional.
        self.fields["worker_gender_preference"].label = "Would they like a worker who is"
        if self.instance.pk and not self.is_bound:
            self.initial["other_names"] = "\n".join(a.name for a in self.instance.aliases.all())

    def stored_values(self, stored):
        values = super().stored_values(stored)
        values["other_names"] = [alias.name for alias in stored.aliases.all()]
        return values

    def clean_other_names(self):
        names = []
        for line in self.cleaned_data.get("other_names", "").splitlines():
            name = " ".join(line.split())
            if len(name) > 200:
                raise forms.ValidationError("Keep each name to 200 characters.")
            if name and name not in names:
                names.append(name)
        return names

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_of_birth") and cleaned.get("approximate_age") is not None:
            self.add_error("approximate_age", "Leave this blank when the date of birth is known.")
        return cleaned


# Phones and laptops send a datetime-local value ("2026-11-22T14:05"); seconds are optional.
DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
# A phone's clock a few minutes ahead of the server's is not a contact in the future.
CLOCK_SKEW = timedelta(minutes=5)


class ContactForm(SubmissionKeyMixin, PlainEnglishMixin, forms.ModelForm):
    """The quick contact log: type, how long, what happened, and when (already filled in).
    Everything else is optional and folded away."""

    occurred_at = forms.DateTimeField(
        label="When",
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Now, unless you are logging it later.",
    )
    kind = forms.ChoiceField(
        label="Type of contact", choices=ContactKind.choices, widget=forms.RadioSelect
    )
    duration_minutes = forms.IntegerField(
        label="How long, in minutes",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "duration-input"}),
    )
    summary = forms.CharField(
        label="What happened",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    with_person = forms.BooleanField(label="With the person", required=False, initial=True)
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies involved",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.MultipleChoiceField(
        label="Topics", choices=Topic.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    follow_up_action = forms.CharField(label="Next action", max_length=300, required=False)
    follow_up_due = forms.DateField(
        label="Next action due",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = Contact
        fields = [
            "kind",
            "duration_minutes",
            "summary",
            "occurred_at",
            "with_person",
            "agencies",
            "topics",
            "follow_up_action",
            "follow_up_due",
        ]

    # The folded-away questions: the fold opens when one of them has an answer or an error.
    DETAIL_FIELDS = ["agencies", "topics", "follow_up_action", "follow_up_due"]

    # Contact's check constraints that this form's own rules already enforce, each with its own
    # message: the type is one of the choices, clean_duration_minutes holds the range, the
    # summary is required (and stripped), clean() wants an action for a due date. Django checks
    # a CheckConstraint by asking the database, a query each on every save that valid answers
    # can never fail, so the form leaves these to itself and the database (which still refuses
    # a row breaking one). Any other constraint Contact has is still checked here.
    CHECKED_BY_FORM = frozenset(
        {
            "contact_kind_valid",
            "contact_duration_range",
            "contact_summary_required",
            "contact_follow_up_due_has_action",
        }
    )

    def __init__(self, *args, person, **kwargs):
        kwargs.setdefault("auto_id", f"contact-{person.pk.hex[:8]}-%s")
        super().__init__(*args, **kwargs)
        self.person = person
        # BaseModel ids exist before saving, so "new" is Django's own adding flag, not pk.
        self.is_new = self.instance._state.adding
        self.fields["agencies"].queryset = Organisation.objects.filter(is_active=True)
        name = person.known_as or person.first_name
        self.fields["with_person"].label = f"With {name}"
        self.fields["summary"].error_messages["required"] = "Write a few words about what happened."
        self.fields["kind"].error_messages["required"] = "Choose the type of contact."
        self.fields["duration_minutes"].error_messages.update(
            required="Say how long it took, in minutes.",
            invalid="Enter the number of minutes, like 20.",
        )
        self.fields["occurred_at"].error_messages.update(
            required="Say when it happened.",
            invalid="Enter a date and time, like 22/11/2026 14:30.",
        )
        if not self.is_bound and self.is_new:
            self.initial.setdefault(
                "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
            )
        if not self.is_new:
            del self.fields["submission_key"]  # an edit changes a contact, it makes none
            self.fields["occurred_at"].help_text = ""

    @property
    def details_open(self):
        return any(
            self[name].errors or (self.is_bound and self.data.get(self.add_prefix(name)))
            for name in self.DETAIL_FIELDS
        ) or any(self.initial.get(name) for name in self.DETAIL_FIELDS)

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if not self.is_new and value == self.instance.occurred_at.replace(second=0, microsecond=0):
            # The form shows minutes: an untouched time keeps its seconds, and is no change.
            return self.instance.occurred_at
        now = timezone.now()
        if value > now + CLOCK_SKEW:
            raise forms.ValidationError(
                "That time is in the future: log a contact once it has happened."
            )
        if value < now - timedelta(days=366) and self.is_new:
            raise forms.ValidationError("Check the date: that is more than a year ago.")
        return value

    def clean_duration_minutes(self):
        value = self.cleaned_data["duration_minutes"]
        if value < 1:
            raise forms.ValidationError("Enter at least 1 minute.")
        if value > CONTACT_MAX_MINUTES:
            raise forms.ValidationError(
                f"That is more than {CONTACT_MAX_MINUTES // 60} hours. "
                "Check the number: it is in minutes."
            )
        return value

    def clean_follow_up_due(self):
        due = self.cleaned_data.get("follow_up_due")
        if due and self.is_new and due < timezone.localdate():
            raise forms.ValidationError("That date has passed: choose today or later.")
        return due

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("follow_up_due") and not cleaned.get("follow_up_action"):
            self.add_error("follow_up_action", "Say what the next action is, or clear its date.")
        return cleaned

    def _post_clean(self):
        """Django's model validation, less the constraints in CHECKED_BY_FORM: the instance's
        constraint list leaves them out only while this form validates it."""
        instance = self.instance
        every = instance.get_constraints

        def not_checked_by_form():
            return [
                (model, [c for c in constraints if c.name not in self.CHECKED_BY_FORM])
                for model, constraints in every()
            ]

        instance.get_constraints = not_checked_by_form
        try:
            super()._post_clean()
        finally:
            del instance.get_constraints

    def contact_data(self):
        """What the contact services take, from the cleaned form."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["topics"] = list(data["topics"])
        data["agencies"] = list(data["agencies"])
        return data


class ContactEditForm(VersionedFormMixin, ContactForm):
    """A correction. The reason is asked for when the edit window has passed or someone other
    than the author is editing."""

    reason = forms.CharField(label="Why is this being changed?", max_length=500, required=False)

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_required = reason_required
        if reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].label = "Why is this being changed?"
            self.fields["reason"].error_messages["required"] = (
                "Say why the contact is being changed: it is kept with the earlier version."
            )
        else:
            del self.fields["reason"]
        if not self.is_new and not self.is_bound:
            self.initial["agencies"] = list(self.instance.agencies.all())
            self.initial["occurred_at"] = timezone.localtime(self.instance.occurred_at)


# --- allocation --------------------------------------------------------------------------------


class AllocationForm(SubmissionKeyMixin, VersionedFormMixin, PlainEnglishMixin, forms.Form):
    """Choose a worker from the candidates the page lists (with their load and fit)."""

    mark_optional = False

    worker = forms.ChoiceField(widget=forms.RadioSelect)
    reason = forms.CharField(label="Why this worker", max_length=500, required=False)
    over_capacity_reason = forms.CharField(
        label="If this takes them over capacity, why",
        max_length=500,
        required=False,
        help_text="Going over capacity is allowed; the reason is kept.",
    )

    def __init__(self, *args, candidates, handover=False, legend="Choose a worker", **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.fields["worker"].choices = [(str(c.worker.pk), str(c.worker)) for c in candidates]
        self.fields["worker"].label = legend
        self.fields["worker"].error_messages["required"] = "Choose a worker."
        if not handover:
            self.fields["reason"].label = "Why this worker (optional)"
        if handover:
            self.fields["reason"].label = "Why is the person being handed over?"
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = "Say why, for the person's record."

    def stored_values(self, stored):
        return {"worker": stored.worker, "reason": stored.reason}

    def options(self):
        """(radio, candidate) pairs, so each choice can show the worker's load and fit."""
        return list(zip(self["worker"], self.candidates, strict=True))

    def chosen(self):
        pk = self.cleaned_data["worker"]
        return next(c.worker for c in self.candidates if str(c.worker.pk) == pk)


class EndAllocationForm(VersionedFormMixin, PlainEnglishMixin, forms.Form):
    reason = forms.CharField(label="Why is this ending?", max_length=500)

    def stored_values(self, stored):
        ended = f"Ended: {stored.end_reason}" if stored.ended_at else ""
        return {"reason": ended}


# --- episodes ----------------------------------------------------------------------------------


class PauseForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    pause_reason = forms.ChoiceField(
        label="Why is support paused?", choices=PauseReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", max_length=500, required=False)


class ResumeForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    note = forms.CharField(label="Note", max_length=500, required=False)


YES_NO = [("yes", "Yes"), ("no", "No")]


class CloseForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    end_date = forms.DateField(
        label="Date support ended",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    exit_destination = forms.ChoiceField(
        label="Where did they go?", choices=ExitDestination.choices, widget=forms.RadioSelect
    )
    ending_planned = forms.ChoiceField(
        label="Was the ending planned with them?", choices=YES_NO, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="A short note",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exit_destination"].error_messages["required"] = (
            "Say where the person went when support ended."
        )
        if not self.is_bound:
            self.initial.setdefault("end_date", timezone.localdate())

    def close_data(self):
        data = dict(self.cleaned_data)
        data["ending_planned"] = data["ending_planned"] == "yes"
        return data


class PlanTargetForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    """The delivery plan's target of people supported in one financial year. It carries the
    versions of the targets the page showed (`seen`), so a year someone else set since the page
    was opened is not silently replaced."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        help_text="A year that already has a target gets the new number.",
    )
    people = forms.IntegerField(
        label="People supported in the year",
        min_value=0,
        max_value=100_000,
        help_text="As the delivery plan states it, in whole people.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter a whole number of people, like 145.",
            "min_value": "Enter 0 or more people.",
            "max_value": "Enter at most %(limit_value)s people.",
        },
    )

    def __init__(self, *args, this_year, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["seen"] = " ".join(version_token(t) for t in targets)
        # Last year (a target entered late), this year and the next four the plan runs to.
        years = range(this_year - 1, this_year + 5)
        self.fields["year"].choices = [(y, financial_year_label(y)) for y in years]
        self.fields["year"].initial = this_year
        self.fields["year"].error_messages["invalid_choice"] = (
            "Choose one of the financial years listed."
        )

    def seen_again(self, target):
        """After a refusal: saving again replaces the target now stored, deliberately."""
        self.data = self.data.copy()
        self.data[self.add_prefix("seen")] = version_token(target)
