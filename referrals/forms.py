from django import forms

from referrals.models import DISADVANTAGES, EligibilityDecision, Referral
from smd.characteristics import Ethnicity, Gender, ethnicity_grouped_choices
from smd.forms import PersonIdentityMixin, PlainEnglishMixin, SubmissionKeyMixin
from smd.models import Organisation
from smd.versioning import VersionedFormMixin

SELF = "self"
OTHER = "other"


class ReferralForm(SubmissionKeyMixin, PlainEnglishMixin, PersonIdentityMixin, forms.ModelForm):
    """The short referral: the public form and staff's in-app form are the same form."""

    referrer = forms.ChoiceField(
        label="Who is making this referral?",
        help_text="Choose your organisation, or “The person themself” for a self-referral.",
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=20,
        help_text="Only if you know it. 10 digits.",
    )

    class Meta:
        model = Referral
        fields = [
            "first_name",
            "last_name",
            "known_as",
            "date_of_birth",
            "nhs_number",
            "contact_details",
            *[f for key, _, _ in DISADVANTAGES for f in (key, f"{key}_note")],
            "why_now",
            "consent",
            "safety_information",
            "referrer",
            "referrer_organisation_name",
            "referrer_name",
            "referrer_contact",
            "referrer_continuing_support",
            "gender",
            "ethnicity",
        ]
        labels = {
            "first_name": "First name",
            "last_name": "Last name",
            "known_as": "Known as (optional)",
            "date_of_birth": "Date of birth (optional)",
            "contact_details": "How can we contact them safely?",
            "why_now": "Why now, and what does the person want?",
            "consent": "Did the person agree to this referral?",
            "safety_information": "Anything staff must know to work safely (optional)",
            "referrer_organisation_name": "Organisation, if not in the list",
            "referrer_name": "Your name",
            "referrer_contact": "Your phone number or email",
            "referrer_continuing_support": "What will your organisation keep offering? (optional)",
            "gender": "Gender (optional)",
            "ethnicity": "Ethnicity (optional)",
        }
        help_texts = {
            "known_as": "A nickname or other name they use.",
            "date_of_birth": "If you don't know it, leave it blank.",
            "contact_details": (
                "A phone number, a service they visit, or a place they can be found — and whether "
                "it is safe to text or leave a message."
            ),
            "why_now": "In a few sentences, in the person's words where you can.",
            "safety_information": "For example risks on visits, or people who must not be told.",
            "referrer_name": "If you are referring yourself, your own name.",
            "referrer_continuing_support": "So support is joined up, not handed over.",
        }
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contact_details": forms.Textarea(attrs={"rows": 2}),
            "why_now": forms.Textarea(attrs={"rows": 4}),
            "safety_information": forms.Textarea(attrs={"rows": 2}),
            "referrer_continuing_support": forms.Textarea(attrs={"rows": 2}),
            "consent": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(is_active=True).values_list("pk", "name")
        self.fields["referrer"].choices = [
            ("", "Choose…"),
            (SELF, "The person themself (self-referral)"),
            ("Partner organisations", [(str(pk), name) for pk, name in organisations]),
            (OTHER, "Another organisation (type it below)"),
        ]
        for key, label, help_text in DISADVANTAGES:
            self.fields[key].label = label
            self.fields[key].help_text = help_text
            self.fields[f"{key}_note"].label = f"{label}: anything to add (optional)"
        self.fields["gender"].choices = [("", "Not recorded")] + [
            c for c in Gender.choices if c[0] != Gender.NOT_KNOWN
        ]
        self.fields["ethnicity"] = forms.ChoiceField(
            label="Ethnicity (optional)",
            required=False,
            choices=[("", "Not recorded")]
            + [
                (h, [c for c in opts if c[0] != Ethnicity.NOT_KNOWN])
                for h, opts in ethnicity_grouped_choices()
            ],
        )
        self.fields["consent"].choices = Referral.Consent.choices
        # Needed only when "another organisation" is chosen; the help text says so.
        self.fields["referrer_organisation_name"].label = "Organisation, if not in the list"
        self.fields[
            "referrer_organisation_name"
        ].help_text = "Only if you chose “Another organisation” above."

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("referrer")
        typed = (cleaned.get("referrer_organisation_name") or "").strip()
        if choice == OTHER and not typed:
            self.add_error("referrer_organisation_name", "Type the name of your organisation.")
        if not any(cleaned.get(key) for key, _, _ in DISADVANTAGES):
            self.add_error(
                None,
                "Tick at least one of the five disadvantages that applies to the person.",
            )
        return cleaned

    def save(self, commit=True):
        referral = super().save(commit=False)
        choice = self.cleaned_data["referrer"]
        referral.is_self_referral = choice == SELF
        referral.referrer_organisation = None
        if choice not in {SELF, OTHER}:
            referral.referrer_organisation = Organisation.objects.get(pk=choice)
            referral.referrer_organisation_name = ""
        elif choice == SELF:
            referral.referrer_organisation_name = ""
        if commit:
            referral.save()
        return referral


class RadioSelectSomeUnavailable(forms.RadioSelect):
    """Radios of which some may be shown but not chosen yet (`unavailable` values)."""

    unavailable = frozenset()

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.unavailable:
            option["attrs"]["disabled"] = True
            # Greyed out is not enough on its own: the label says why too.
            option["label"] = f"{option['label']}: not yet, link a person first"
        return option


class DecisionForm(SubmissionKeyMixin, VersionedFormMixin, PlainEnglishMixin, forms.Form):
    # Reason and signposting are required for some outcomes: their help text says which.
    mark_optional = False

    outcome = forms.ChoiceField(
        label="Outcome",
        choices=EligibilityDecision.Outcome.choices,
        widget=RadioSelectSomeUnavailable,
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when accepting on discretion or deciding not eligible.",
    )
    signposted_to = forms.CharField(
        label="Signposted to",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when not eligible: where the person was pointed instead.",
    )

    def __init__(self, *args, person_linked=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not person_linked:
            # Accepting opens an episode for a person, so until one is linked the accepting
            # outcomes are shown but cannot be chosen; referral_decide refuses them as well.
            Outcome = EligibilityDecision.Outcome
            self.fields["outcome"].widget.unavailable = {Outcome.ELIGIBLE, Outcome.DISCRETION}

    def stored_values(self, stored):
        # What changed on the referral is its status and who it is linked to; the reason and
        # signposting belong to the decision, so only the outcome is set beside the status.
        return {"outcome": stored.get_status_display()}


class NewPersonForm(SubmissionKeyMixin, forms.Form):
    """ "Create a new person record": a button, and the key that makes it one record."""


class LinkPersonForm(forms.Form):
    person = forms.UUIDField(widget=forms.HiddenInput)
