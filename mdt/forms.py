from django import forms
from django.db.models import Q
from django.utils import timezone

from mdt.models import Action, AgendaItem, Invitation, MdtMeeting, MdtReferral, SharingBasis
from smd.access import PERMISSIONS, TEAM_ROLES
from smd.forms import LongSelect, PlainEnglishMixin, SubmissionKeyMixin
from smd.models import Organisation, Role, User
from smd.versioning import VersionedFormMixin


class MdtReferralForm(SubmissionKeyMixin, PlainEnglishMixin, forms.ModelForm):
    class Meta:
        model = MdtReferral
        fields = [
            "source",
            "referring_organisation",
            "why_now",
            "tried",
            "asked_of_partners",
            "urgency",
            "sharing_basis",
            "lawful_basis",
            "basis_reason",
        ]
        labels = {
            "source": "How is this case coming to the MDT?",
            "referring_organisation": "Referring organisation",
            "sharing_basis": "Has the person agreed to be discussed at the MDT?",
            "lawful_basis": "Lawful basis, if discussed without agreement",
            "basis_reason": "Why share without agreement?",
        }
        help_texts = {
            "sharing_basis": "Without agreement or a recorded lawful basis, the case waits and "
            "cannot be put on an agenda.",
        }
        widgets = {
            "source": forms.RadioSelect,
            "urgency": forms.RadioSelect,
            "sharing_basis": forms.RadioSelect,
            "why_now": forms.Textarea(attrs={"rows": 3}),
            "tried": forms.Textarea(attrs={"rows": 3}),
            "asked_of_partners": forms.Textarea(attrs={"rows": 3}),
            "basis_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, partner=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referring_organisation"].queryset = Organisation.objects.filter(is_active=True)
        if partner:
            # A partner member refers as their own agency: the figures count MDT referrals by
            # source, so they are not theirs to choose.
            del self.fields["source"]
            del self.fields["referring_organisation"]
        self.fields["lawful_basis"].label = "Lawful basis (only without agreement)"
        self.fields[
            "basis_reason"
        ].label = "Reason for sharing without agreement (only without agreement)"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sharing_basis") == SharingBasis.LAWFUL_BASIS:
            if not cleaned.get("lawful_basis"):
                self.add_error(
                    "lawful_basis", "Choose the lawful basis for sharing without agreement."
                )
            if not (cleaned.get("basis_reason") or "").strip():
                self.add_error("basis_reason", "Say why the case must be shared without agreement.")
        else:
            cleaned["lawful_basis"] = ""
            cleaned["basis_reason"] = ""
        return cleaned


class MeetingForm(SubmissionKeyMixin, PlainEnglishMixin, forms.ModelForm):
    organisations = forms.ModelMultipleChoiceField(
        label="Invited organisations",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    members = forms.ModelMultipleChoiceField(
        label="Invited members",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Partner staff who will attend; their organisation is invited with them.",
    )

    class Meta:
        model = MdtMeeting
        fields = ["starts_at", "place", "chair"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        # The chair runs the meeting (MdtMeeting.can_run).
        self.fields["chair"].queryset = User.objects.filter(
            team=team, is_active=True, role__in=PERMISSIONS["can_plan_meetings"].roles
        )
        self.fields["organisations"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["members"].queryset = User.objects.filter(
            role=Role.MDT_MEMBER, is_active=True
        ).select_related("organisation")
        self.fields["members"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.organisation})"
        )

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if self.instance.pk is None and starts_at < timezone.now() - timezone.timedelta(days=1):
            raise forms.ValidationError("A new meeting cannot be in the past.")
        return starts_at


class AgendaAddForm(SubmissionKeyMixin, forms.Form):
    """ "Add" beside a case waiting for the agenda: a button, and the key that adds it once."""


class CaseNotesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label="Discussion notes",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    decisions = forms.CharField(
        label="Decisions", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(
        label="Outcome for this meeting", required=False, choices=AgendaItem.Outcome.choices
    )


def _owner_label_from(first_name, last_name, username, organisation):
    name = f"{first_name} {last_name}".strip() or username
    return f"{name} ({organisation})" if organisation else name


def _owner_label(user):
    organisation = user.organisation.name if user.organisation_id else None
    return _owner_label_from(user.first_name, user.last_name, user.username, organisation)


class ActionForm(SubmissionKeyMixin, PlainEnglishMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["description", "owner", "owner_organisation", "due_on"]
        labels = {
            "description": "Action",
            "owner": "Owner",
            "owner_organisation": "Owner's organisation",
        }
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "owner": LongSelect,
        }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        # Owners are the team's staff or members invited to this meeting.
        invited = meeting.invitations.exclude(member=None).values("member")
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True)
            .filter(Q(team_id=meeting.team_id, role__in=TEAM_ROLES) | Q(pk__in=invited))
            .select_related("organisation")
            # Only what the label needs: the list holds every member of the team's staff.
            .only("first_name", "last_name", "username", "organisation_id", "organisation__name")
            .order_by("first_name")
        )
        self.fields["owner"].label_from_instance = _owner_label
        # The options are read as plain rows, not model instances: at a hundred times a city's
        # volumes the list has 2,700 people, and building a User and an Organisation for each
        # was most of the live screen's time. The queryset still checks what is posted.
        rows = self.fields["owner"].queryset.values_list(
            "pk", "first_name", "last_name", "username", "organisation__name"
        )
        self.fields["owner"].widget.choices = [("", "---------")] + [
            (pk, _owner_label_from(first, last, username, organisation))
            for pk, first, last, username, organisation in rows
        ]
        self.fields["owner_organisation"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["owner_organisation"].required = False
        self.fields["owner_organisation"].help_text = "Leave blank for the owner's own."

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due < timezone.localdate():
            raise forms.ValidationError("The due date cannot be in the past.")
        return due

    def clean(self):
        cleaned = super().clean()
        owner = cleaned.get("owner")
        if owner and not cleaned.get("owner_organisation"):
            if owner.organisation_id:
                cleaned["owner_organisation"] = owner.organisation
                self.instance.owner_organisation = owner.organisation
            else:
                self.add_error("owner_organisation", "Choose the owner's organisation.")
        return cleaned


class AttendanceForm(forms.Form):
    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = list(meeting.invitations.select_related("organisation", "member"))
        for invitation in self.invitations:
            self.fields[str(invitation.pk)] = forms.ChoiceField(
                label=str(invitation.member or invitation.organisation)
                + (f" ({invitation.organisation})" if invitation.member_id else ""),
                choices=Invitation.Attendance.choices,
                required=False,
                initial=invitation.attendance,
                widget=forms.RadioSelect,
            )


class ActionUpdateForm(VersionedFormMixin, forms.Form):
    """Done or reopened, and/or a progress note. A field left out changes nothing, so an old
    "Save note" form cannot reopen an action someone has since marked done."""

    done = forms.TypedChoiceField(
        label="Done",
        choices=[("1", "done"), ("0", "open")],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=None,
    )
    progress_note = forms.CharField(
        label="Progress note", required=False, max_length=500, empty_value=None
    )

    def stored_values(self, stored):
        values = {"progress_note": stored.progress_note}
        if self.data.get("done") is not None:
            values["done"] = stored.is_done
        return values
