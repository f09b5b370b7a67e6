"""Multi-disciplinary team meetings: referrals to the MDT, meetings, agendas, attendance and
actions that carry forward until done."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from caseload.models import Person
from sharing.selectors import partner_may_be_told
from smd.models import BaseModel, Organisation, Team
from smd.submission import submission_key_field
from smd.versioning import Versioned

# Partner members see a meeting's cases from a week before it to four weeks after.
PARTNER_WINDOW_BEFORE = timedelta(days=7)
PARTNER_WINDOW_AFTER = timedelta(days=28)


class SharingBasis(models.TextChoices):
    AGREED = "agreed", "The person agreed to be discussed"
    LAWFUL_BASIS = "lawful_basis", "Without agreement, on a lawful basis"
    NONE = "none", "Not agreed yet"


class LawfulBasis(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding an adult at risk"
    VITAL_INTERESTS = "vital_interests", "Vital interests (risk to life)"
    CRIME = "crime", "Prevention or detection of crime"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"
    OTHER = "other", "Other (explain in the reason)"


class MdtReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """MDT referrals of the people the user may see (team staff only: a partner refers through
        a case, and reads no referrals)."""
        return self.filter(person__in=Person.objects.visible_to(user))


class MdtReferral(BaseModel):
    """A request to discuss a person at the MDT."""

    class Source(models.TextChoices):
        NAVIGATOR = "navigator", "Navigator escalation"
        PARTNER = "partner", "Partner agency"
        SELF = "self", "The person's own request"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine: the next meeting"
        SOON = "soon", "Soon: within two weeks"
        URGENT = "urgent", "Urgent: as soon as possible"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an agenda"
        ON_AGENDA = "on_agenda", "On an agenda"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="mdt_referrals"
    )
    source = models.CharField(max_length=12, choices=Source.choices)
    referring_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mdt_referrals"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mdt_referrals"
    )
    why_now = models.TextField("why now", max_length=2000)
    tried = models.TextField("what has been tried", max_length=2000)
    asked_of_partners = models.TextField("what is asked of partners", max_length=2000)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    sharing_basis = models.CharField(
        "the person's agreement", max_length=14, choices=SharingBasis.choices
    )
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices, blank=True)
    basis_reason = models.TextField(
        "reason for sharing without agreement", max_length=1000, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = MdtReferralQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sharing_basis="lawful_basis")
                | (~Q(lawful_basis="") & ~Q(basis_reason="")),
                name="mdt_referral_lawful_basis_explained",
            ),
            # No agenda place without the person's agreement or a recorded lawful basis.
            models.CheckConstraint(
                condition=~Q(status="on_agenda") | ~Q(sharing_basis="none"),
                name="mdt_referral_on_agenda_has_basis",
            ),
        ]

    def __str__(self):
        return f"MDT referral for {self.person}"

    @property
    def may_be_discussed(self):
        return self.sharing_basis != SharingBasis.NONE


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Team staff see their team's meetings; partner members the meetings they (or their
        organisation) are invited to; nobody else any."""
        if not user.is_authenticated:
            return self.none()
        if user.in_team:
            return self.filter(team_id=user.team_id)
        if user.is_mdt_partner:
            invited = Invitation.objects.filter(
                Q(member=user) | Q(member__isnull=True, organisation_id=user.organisation_id)
            ).values("meeting")
            return self.filter(pk__in=invited).exclude(status=MdtMeeting.Status.CANCELLED)
        return self.none()


class MdtMeeting(BaseModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="mdt_meetings")
    starts_at = models.DateTimeField("date and time")
    place = models.CharField("place or online link", max_length=300)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_meetings"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    agenda_shared_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["team", "starts_at"], name="mdt_meeting_team_time")]

    def __str__(self):
        return f"MDT {timezone.localtime(self.starts_at):%-d %b %Y %H:%M}"

    def get_absolute_url(self):
        return reverse("mdt:meeting", args=[self.pk])

    def can_run(self, user):
        return user.can_plan_meetings and user.team_id == self.team_id


class Invitation(BaseModel):
    """An organisation (and optionally one of its members) invited, with their attendance."""

    class Attendance(models.TextChoices):
        NOT_RECORDED = "", "Not recorded"
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mdt_invitations",
    )
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True)

    class Meta:
        # An organisation's own invitation and its members': the earliest made, then by id.
        ordering = ["organisation__name", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation", "member"], name="invitation_unique"
            ),
            models.UniqueConstraint(
                fields=["meeting", "organisation"],
                condition=Q(member__isnull=True),
                name="invitation_org_unique",
            ),
        ]

    def __str__(self):
        return str(self.member or self.organisation)


def shared_with_partner(organisation_id):
    """The condition, on an agenda item, that the partner organisation may see it now: its
    person may be told to that organisation at the meeting team's MDT (the rule is sharing's:
    `sharing.selectors.partner_may_be_told`)."""
    return partner_may_be_told(
        organisation_id, person=OuterRef("person"), team=OuterRef("meeting__team")
    )


class AgendaItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The MDT cases a user may read. Team staff: their team's. A partner member: cases on
        meetings they are invited to, from a week before the meeting to four weeks after, and
        only while their organisation may be told about that person (`shared_with_partner`)."""
        meetings = MdtMeeting.objects.visible_to(user)
        items = self.filter(meeting__in=meetings)
        if user.is_authenticated and user.is_mdt_partner:
            now = timezone.now()
            items = items.filter(
                meeting__starts_at__gte=now - PARTNER_WINDOW_AFTER,
                meeting__starts_at__lte=now + PARTNER_WINDOW_BEFORE,
            )
            # Until an agenda is shared or the meeting starts, partners see no cases on it.
            items = items.filter(
                Q(meeting__agenda_shared_at__isnull=False)
                | ~Q(meeting__status=MdtMeeting.Status.PLANNED)
            )
            items = items.filter(shared_with_partner(user.organisation_id))
        return items


class AgendaItem(BaseModel):
    class Kind(models.TextChoices):
        NEW = "new", "New case"
        REVIEW = "review", "Review"

    class Outcome(models.TextChoices):
        NONE = "", "Not decided"
        CONTINUE = "continue", "Continue at MDT"
        RESOLVED = "resolved", "Resolved: support in place"
        CLOSED = "closed", "Closed to MDT"
        ESCALATED = "escalated", "Escalated"
        DECLINED = "declined", "The person did not want it"

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="agenda")
    person = models.ForeignKey("caseload.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    mdt_referral = models.ForeignKey(
        MdtReferral, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    sharing_basis = models.CharField(max_length=14, choices=SharingBasis.choices)
    position = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField("time (minutes)", default=12)
    notes = models.TextField("discussion notes", max_length=10000, blank=True)
    decisions = models.TextField(max_length=5000, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    # Bumped on every save of the notes; a save that names an older version is a conflict.
    version = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="agenda_one_place_per_person"
            ),
            models.CheckConstraint(
                condition=Q(sharing_basis__in=["agreed", "lawful_basis"]),
                name="agenda_item_has_sharing_basis",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=120), name="agenda_item_minutes_range"
            ),
        ]

    def __str__(self):
        return f"{self.person} at {self.meeting}"

    def get_absolute_url(self):
        return reverse("mdt:case", args=[self.pk])


# The order actions are listed in everywhere: soonest due first, then the earliest agreed, then
# by id, so actions agreed at the same moment (several at once, or an import) keep one order
# rather than the one the database's plan happens to give.
ACTION_ORDER = ("due_on", "created_at", "pk")


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def visible_to(self, user):
        """Actions on the MDT cases the user may read."""
        return self.filter(agenda_item__in=AgendaItem.objects.visible_to(user))


class Action(Versioned, BaseModel):
    """A timed action agreed at an MDT, owned by a person and an organisation."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="actions")
    person = models.ForeignKey(
        "caseload.Person", on_delete=models.PROTECT, related_name="mdt_actions"
    )
    description = models.CharField("action", max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mdt_actions"
    )
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("due")
    done_at = models.DateTimeField(null=True, blank=True)
    progress_note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = ActionQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = list(ACTION_ORDER)
        indexes = [
            models.Index(fields=["person", "done_at"], name="mdt_action_person_open"),
            models.Index(fields=["owner", "done_at", "due_on"], name="mdt_action_owner_open"),
        ]

    def __str__(self):
        return self.description

    @property
    def is_done(self):
        return self.done_at is not None

    def is_overdue(self, today=None):
        return not self.is_done and self.due_on < (today or timezone.localdate())
