import re
import uuid

from django import forms
from django.db.models import Q, Subquery
from django.utils import timezone

from caseload.models import Allocation
from mdt.models import Action, AgendaItem, Invitation, MdtMeeting, MdtReferral, SharingBasis
from smd.access import PERMISSIONS, TEAM_ROLES
from smd.forms import PLAIN_WIDGETS, LongSelect, PlainEnglishMixin, SubmissionKeyMixin
from smd.models import Organisation, Role, User
from smd.prepared import PreparedQuery
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
    default_renderer = PLAIN_WIDGETS  # drawn on every view of the live screen

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


OWNER_FIELDS = ("pk", "first_name", "last_name", "username", "organisation__name")
OWNER_MATCHES = 8


def owners_allowed(meeting):
    """Who may own an action agreed at the meeting: the team's active staff and the members
    invited to it (partners own actions too)."""
    return _owners_allowed(meeting.pk, meeting.team_id)


def _owners_allowed(meeting, team):
    """`owners_allowed` for the meeting's id and its team's (an id, or a subquery)."""
    invited = Invitation.objects.filter(meeting=meeting).exclude(member=None).values("member")
    return User.objects.filter(is_active=True).filter(
        Q(team_id=team, role__in=TEAM_ROLES) | Q(pk__in=invited)
    )


def _offered(meeting, *, by, person):
    """Whom the owner list offers, as one set of user ids: the members invited to the meeting,
    its chair, whoever is running it, the person's current workers and the owners of their open
    actions (`by` and `person` may be None). One set rather than an OR of five subqueries:
    asked that way, PostgreSQL read every user to test each (all the staff of every team); from
    the set it looks up the few by their key."""
    sets = [
        Invitation.objects.filter(meeting=meeting).exclude(member=None).values("member"),
        MdtMeeting.objects.filter(pk=meeting).values("chair"),
    ]
    if by is not None:
        sets.append(User.objects.filter(pk=by).values("pk"))
    if person is not None:
        sets.append(Allocation.objects.current().filter(episode__person_id=person).values("worker"))
        sets.append(Action.objects.open().filter(person_id=person).values("owner"))
    first, *rest = (ids.order_by() for ids in sets)
    return first.union(*rest, all=True)


def _meeting_offers(meeting, person, by):
    """The owner list of the live screen's empty form, for the meeting's, the person's and the
    user's ids: the meeting's team as a subquery of its id."""
    team = Subquery(MdtMeeting.objects.filter(pk=meeting).values("team")[:1])
    offered = _offered(meeting, by=by, person=person)
    return (
        _owners_allowed(meeting, team)
        .filter(pk__in=offered)
        .order_by("first_name", "last_name", "username")
        .values(*OWNER_FIELDS)
    )


# Compiled once per process (ADR 0039): the same for every meeting, person and user but for
# their ids; run only for a meeting and a case the user's scoped queries returned.
_meeting_offers_query = PreparedQuery(User, _meeting_offers, ids=3)

# The organisations an action's owner may be from: a short list, the same for everyone, read
# afresh on every form and compiled once per process.
_active_organisations_query = PreparedQuery(
    Organisation,
    lambda: Organisation.objects.filter(is_active=True).order_by("name").values("pk", "name"),
    ids=0,
)


def owner_choice(first_name, last_name, username, organisation):
    """How a possible owner is written in the type-ahead, and typed back: their name and
    organisation, with the username in brackets so two people of the same name differ."""
    return f"{_owner_label_from(first_name, last_name, username, organisation)} [{username}]"


def owners_matching(meeting, text, limit=OWNER_MATCHES):
    """Up to `limit` people who may own the meeting's actions whose name or username holds
    every word typed, as value rows (OWNER_FIELDS); "Name (Organisation) [username]", as the
    type-ahead offers it, is that username alone. A short query whatever the staff."""
    # A NUL cannot be stored or searched for (PostgreSQL refuses it): it matches nobody.
    text = (text or "").replace("\x00", "").strip()[:100]
    allowed = owners_allowed(meeting)
    bracketed = re.search(r"\[([^\[\]]+)\]\s*$", text)
    if bracketed:
        allowed = allowed.filter(username__iexact=bracketed.group(1).strip())
    else:
        words = text.split()[:4]
        if not words:
            return []
        for word in words:
            allowed = allowed.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
            )
    return list(
        allowed.order_by("first_name", "last_name", "username").values_list(*OWNER_FIELDS)[:limit]
    )


class ActionForm(SubmissionKeyMixin, PlainEnglishMixin, forms.ModelForm):
    """An action agreed at the meeting. The owner list offers the people at the meeting (its
    chair and invited members, the person's lead workers, the owners of their open actions,
    whoever is running it); anyone else who may own it is typed in "someone else", with a
    type-ahead from `mdt:owners`. Neither grows with the team's staff."""

    default_renderer = PLAIN_WIDGETS  # drawn on every view of the live screen

    owner_name = forms.CharField(
        label="Or someone else",
        required=False,
        max_length=200,
        help_text="Type their name: anyone in the team, or a member invited to this meeting.",
    )

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
            "owner_organisation": LongSelect,
        }

    def __init__(self, *args, meeting, item=None, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        owner = self.fields["owner"]
        # The list is what is offered; whoever is posted is checked against everyone allowed.
        owner.queryset = owners_allowed(meeting)
        owner.required = False
        owner.label = "Owner"
        owner.error_messages["invalid_choice"] = (
            "Choose someone in the team, or a member invited to this meeting."
        )
        owner.label_from_instance = _owner_label
        self.fields["owner_name"].label = "Or someone else (type their name)"
        self.matches = []
        self._offer(item, by)
        organisations = self.fields["owner_organisation"]
        organisations.queryset = Organisation.objects.filter(is_active=True)
        organisations.required = False
        organisations.help_text = "Leave blank for the owner's own."
        organisations.widget.choices = [("", "---------")] + [
            (row["pk"], row["name"]) for row in _active_organisations_query.rows()
        ]

    def _offer(self, item, by):
        """The owner list: the people at the meeting, the person's lead workers and action
        owners, the one posted or typed. One query, as long as the meeting's list of people."""
        posted = self.data.get(self.add_prefix("owner")) if self.is_bound else None
        posted = _uuid_or_none(posted or self.initial.get("owner"))
        typed = self.data.get(self.add_prefix("owner_name")) if self.is_bound else None
        typed = typed if typed and typed.strip() else None
        if item is not None and by is not None and posted is None and typed is None:
            # The live screen's empty form, on every view: compiled once.
            rows = _meeting_offers_query.rows(self.meeting.pk, item.person_id, by.pk)
        else:
            offered = Q(
                pk__in=_offered(
                    self.meeting.pk,
                    by=by.pk if by is not None else None,
                    person=item.person_id if item is not None else None,
                )
            )
            if posted:
                offered |= Q(pk=posted)
            if typed:
                self.matches = owners_matching(self.meeting, typed)
                offered |= Q(pk__in=[row[0] for row in self.matches])
            rows = (
                owners_allowed(self.meeting)
                .filter(offered)
                .order_by("first_name", "last_name", "username")
                .values(*OWNER_FIELDS)
            )
        self.fields["owner"].widget.choices = [("", "Choose the owner")] + [
            (
                row["pk"],
                _owner_label_from(
                    row["first_name"],
                    row["last_name"],
                    row["username"],
                    row["organisation__name"],
                ),
            )
            for row in rows
        ]

    @property
    def owner_choices(self):
        """The people the typed name matched, as the type-ahead offers them."""
        return [owner_choice(*row[1:]) for row in self.matches]

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due < timezone.localdate():
            raise forms.ValidationError("The due date cannot be in the past.")
        return due

    def clean(self):
        cleaned = super().clean()
        typed = (cleaned.get("owner_name") or "").strip()
        owner = cleaned.get("owner")
        if typed and "owner" not in self.errors:
            owner = self._owner_typed(typed, chosen=owner)
            if owner is not None:
                cleaned["owner"] = owner
                self.instance.owner = owner
        elif owner is None and "owner" not in self.errors:
            self.add_error("owner", "Choose the owner, or type the name of someone else.")
        if owner and not cleaned.get("owner_organisation"):
            if owner.organisation_id:
                cleaned["owner_organisation"] = owner.organisation
                self.instance.owner_organisation = owner.organisation
            else:
                self.add_error("owner_organisation", "Choose the owner's organisation.")
        return cleaned

    def _owner_typed(self, typed, *, chosen):
        """The one person the typed name means, or None with a field error saying why."""
        if len(self.matches) != 1:
            if not self.matches:
                message = (
                    f"Nobody in the team or invited to this meeting is called “{typed}”: "
                    "check the spelling."
                )
            else:
                message = (
                    f"More than one person matches “{typed}”: choose one from the Owner list, "
                    "or type more of the name."
                )
            self.add_error("owner_name", message)
            return None
        owner = User.objects.select_related("organisation").get(pk=self.matches[0][0])
        if chosen is not None and chosen.pk != owner.pk:
            self.add_error("owner_name", "Choose the owner from the list or type a name, not both.")
            return None
        return owner


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


class AttendanceForm(forms.Form):
    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        # The invitations meeting_detail prefetched, with their organisations and members.
        self.invitations = list(meeting.invitations.all())
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
