"""Forms for support plans and outcomes. They check what a person can put right in the form;
the services check the rest and their errors are shown against the same fields."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from caseload.models import (
    EVENT_UNITS,
    MAX_GOAL_STEPS,
    AccommodationStatus,
    EventKind,
    EventSource,
    GoalStatus,
)
from caseload.outcomes.services import spend_approvers
from smd.forms import PlainEnglishMixin, SubmissionKeyMixin
from smd.versioning import VersionedFormMixin


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, like 22/11/2026."},
        **kwargs,
    )


class PoundsField(forms.DecimalField):
    """Pounds and pence, exact. Accepts "£1,250.50" as well as "1250.5"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)
        self.error_messages.update(
            invalid="Enter an amount in pounds and pence, like 25.50.",
            max_decimal_places="Use pounds and pence: at most two digits after the point.",
            max_digits="That amount is too large: check it.",
            max_whole_digits="That amount is too large: check it.",
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("£", "").replace(",", "").strip()
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        try:
            positive = value is None or Decimal(value) > 0
        except InvalidOperation:
            positive = False
        if not positive:
            raise forms.ValidationError("The amount must be more than £0.")


# --- the support plan --------------------------------------------------------------------------


class GoalForm(SubmissionKeyMixin, VersionedFormMixin, PlainEnglishMixin, forms.Form):
    """A goal in the person's own words, what they bring, and the steps agreed (who does what).
    A new goal also says how it starts and when to look at it again."""

    in_their_words = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Write it as they said it, in the first person if that is how they put it.",
    )
    strengths = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What they are good at, who is on their side, what has worked before.",
    )
    status = forms.ChoiceField(
        label="Where is it now?",
        choices=[
            (GoalStatus.NOT_STARTED, "Not started yet"),
            (GoalStatus.IN_PROGRESS, "Already in progress"),
        ],
        widget=forms.RadioSelect,
        initial=GoalStatus.NOT_STARTED,
    )
    review_on = _date_field("Review date", help_text="When you will look at this goal together.")

    def __init__(self, *args, person, goal=None, **kwargs):
        super().__init__(*args, version_record=goal, **kwargs)
        name = person.known_as or person.first_name
        self.fields["in_their_words"].label = f"The goal, in {name}'s own words"
        self.fields["in_their_words"].error_messages["required"] = (
            f"Write the goal as {name} said it."
        )
        self.fields["strengths"].label = f"Strengths {name} brings (optional)"
        existing = list(goal.steps) if goal else []
        self.step_count = min(MAX_GOAL_STEPS, max(len(existing) + 2, 3))
        for n in range(1, self.step_count + 1):
            self.fields[f"step_{n}_what"] = forms.CharField(
                label=f"Step {n}: what will be done", max_length=300, required=False
            )
            self.fields[f"step_{n}_who"] = forms.CharField(
                label=f"Step {n}: who does it",
                max_length=100,
                required=False,
                help_text=f"For example: {name}, a worker, a partner agency." if n == 1 else "",
            )
        if goal is not None:
            del self.fields["submission_key"]  # an edit changes a goal, it makes none
            del self.fields["status"]
            del self.fields["review_on"]
            if not self.is_bound:
                self.initial.update(in_their_words=goal.in_their_words, strengths=goal.strengths)
                for n, step in enumerate(existing, start=1):
                    self.initial[f"step_{n}_what"] = step["what"]
                    self.initial[f"step_{n}_who"] = step["who"]
        elif not self.is_bound:
            self.initial.setdefault("review_on", timezone.localdate() + timedelta(weeks=12))

    def stored_values(self, stored):
        values = {"in_their_words": stored.in_their_words, "strengths": stored.strengths}
        for n in range(1, self.step_count + 1):
            step = stored.steps[n - 1] if n <= len(stored.steps) else {}
            values[f"step_{n}_what"] = step.get("what", "")
            values[f"step_{n}_who"] = step.get("who", "")
        return values

    def step_rows(self):
        return [
            (n, self[f"step_{n}_what"], self[f"step_{n}_who"])
            for n in range(1, self.step_count + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        for n in range(1, self.step_count + 1):
            if (
                cleaned.get(f"step_{n}_who", "").strip()
                and not cleaned.get(f"step_{n}_what", "").strip()
            ):
                self.add_error(f"step_{n}_what", "Say what will be done, or clear who does it.")
        return cleaned

    def steps(self):
        return [
            {"what": self.cleaned_data[f"step_{n}_what"], "who": self.cleaned_data[f"step_{n}_who"]}
            for n in range(1, self.step_count + 1)
        ]


class GoalReviewForm(SubmissionKeyMixin, VersionedFormMixin, PlainEnglishMixin, forms.Form):
    to_status = forms.ChoiceField(
        label="How is the goal going?", choices=GoalStatus.choices, widget=forms.RadioSelect
    )
    review_on = _date_field(
        "Next review",
        required=False,
        help_text="Needed while the goal is not started or in progress.",
    )
    note = forms.CharField(
        label="What was said",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, goal, **kwargs):
        super().__init__(*args, version_record=goal, **kwargs)
        self.fields["to_status"].error_messages["required"] = "Choose how the goal is going."
        # "Next review" is needed or not depending on the answer above: say so, not "(optional)".
        self.fields["review_on"].label = "Next review"
        if not self.is_bound:
            self.initial["to_status"] = goal.status
            if goal.review_on:
                self.initial["review_on"] = max(goal.review_on, timezone.localdate())

    def stored_values(self, stored):
        return {"to_status": stored.status, "review_on": stored.review_on}


# --- service use and crisis events -------------------------------------------------------------


def _event_kind_choices():
    return [
        (kind, f"{label} ({EVENT_UNITS[kind]})" if kind in EVENT_UNITS else label)
        for kind, label in EventKind.choices
    ]


class EventForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=(), widget=forms.RadioSelect)
    occurred_on = _date_field("When", help_text="For a stay, the first day or night.")
    quantity = forms.IntegerField(
        label="How many days or nights",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "duration-input"}),
        help_text="Only for a mental-health inpatient stay, custody or rough sleeping.",
    )
    source = forms.ChoiceField(
        label="How we know", choices=EventSource.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", max_length=500, required=False)

    def __init__(self, *args, person, **kwargs):
        kwargs.setdefault("auto_id", f"event-{person.pk.hex[:8]}-%s")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _event_kind_choices()
        self.fields["kind"].error_messages["required"] = "Choose what happened."
        self.fields["source"].error_messages["required"] = "Say how we know."
        self.fields["quantity"].error_messages.update(
            invalid="Enter a whole number, like 3.", min_value="Enter at least 1."
        )
        # Needed for stays only: the help text says when, so it is not marked "(optional)".
        self.fields["quantity"].label = "How many days or nights"
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())
            self.initial.setdefault("source", EventSource.SELF_REPORTED)


# --- accommodation -----------------------------------------------------------------------------


class AccommodationForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    status = forms.ChoiceField(
        label="Where do they live now?",
        choices=AccommodationStatus.choices,
        widget=forms.RadioSelect,
    )
    from_date = _date_field("Since")
    note = forms.CharField(
        label="Note",
        max_length=500,
        required=False,
        help_text="Needed for “Other”: say where.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages["required"] = "Choose where they live now."
        if not self.is_bound:
            self.initial.setdefault("from_date", timezone.localdate())


# --- personal budgets --------------------------------------------------------------------------


class BudgetForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    amount_offered = PoundsField(label="Amount offered (£)")
    offered_on = _date_field("Date offered")
    note = forms.CharField(label="What it is for", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("offered_on", timezone.localdate())


class SpendForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    spent_on = _date_field("Date")
    amount = PoundsField(label="Amount (£)")
    purpose = forms.CharField(label="What it was for", max_length=300)
    approved_by = forms.ModelChoiceField(label="Approved by", queryset=None)
    over_budget_reason = forms.CharField(
        label="If this goes over the budget, why",
        max_length=500,
        required=False,
        help_text="Only a team leader can approve spending beyond the budget.",
    )

    def __init__(self, *args, team, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = spend_approvers(team).order_by(
            "first_name", "last_name"
        )
        self.fields["approved_by"].error_messages["required"] = "Choose who approved it."
        self.fields["purpose"].error_messages["required"] = "Say what the money was for."
        # Asked only when it applies; the help text says when.
        self.fields["over_budget_reason"].label = "If this goes over the budget, why"
        if not self.is_bound:
            self.initial.setdefault("spent_on", timezone.localdate())
            self.initial.setdefault("approved_by", user.pk)


# --- Outcomes Star -----------------------------------------------------------------------------


class StarForm(SubmissionKeyMixin, PlainEnglishMixin, forms.Form):
    completed_on = _date_field("Date completed")
    held_at = forms.CharField(
        label="Where it is held",
        max_length=200,
        help_text="For example: Turning Point's Star Online account, or the paper file.",
    )
    star_name = forms.CharField(
        label="Which Star",
        max_length=100,
        required=False,
        help_text="Its name only, for example Homelessness Star.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_at"].error_messages["required"] = (
            "Say where the Star is held, so the team can find it."
        )
        if not self.is_bound:
            self.initial.setdefault("completed_on", timezone.localdate())
