"""A person: who they are, how to reach them safely, the names they have used."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from smd.characteristics import (
    Ethnicity,
    Gender,
    Religion,
    SexualOrientation,
    YesNo,
    age_on,
)
from smd.models import BaseModel, Team
from smd.submission import submission_key_field
from smd.validators import validate_nhs_number
from smd.versioning import Versioned


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one path to person data: team staff see their team's people, a peer mentor only
        the people currently allocated to them, everyone else nobody. An erased record is
        nobody's to open: it remains only in the team's figures (ADR 0017)."""
        if not user.is_authenticated:
            return self.none()
        if user.in_team:
            return self.filter(team_id=user.team_id).not_erased()
        if user.sees_allocated_people_only:
            # Allocation is defined with episodes (support.py), which refer to Person.
            Allocation = self.model._meta.apps.get_model("caseload", "Allocation")
            allocated = Allocation.objects.current().filter(worker=user).values("episode__person")
            return self.filter(team_id=user.team_id, pk__in=allocated).not_erased()
        return self.none()

    def not_erased(self):
        return self.exclude(retention_reviews__status="erased")


# A page about one person reads the person through visible_to(user) first, then many kinds of
# record about them, each also scoped to what the user may see (`<Model>.objects.visible_to`,
# a subquery of visible_to). Within that request the person's visibility is already settled:
# the person object carries a note of the user it was read for, and records of that person
# need only `person=person`. The note lives on the object, so it never outlasts the request.


def read_for(person, user):
    """Note that `person` was read through `Person.objects.visible_to(user)` (only the code that
    did so calls this); returns the person."""
    person._read_for = user.pk
    return person


def was_read_for(person, user):
    """Whether this person object was read through `Person.objects.visible_to(user)` for this
    user (`read_for`): what may be read about them then depends on nothing but their id, so a
    query compiled once per process (smd.prepared.PreparedQuery) may read it."""
    return (
        user is not None and user.pk is not None and getattr(person, "_read_for", None) == user.pk
    )


def records_of(queryset, person, user):
    """The rows of `queryset` about `person` that `user` may see: `queryset.visible_to(user)`
    for that person, without asking again whether the user may see the person when this
    person object was read for this user (`read_for`). For querysets whose visible_to, for a
    user who may see the person at all, is "of the people the user may see" (documents add
    `current()`: pass `Document.objects.current()`)."""
    if was_read_for(person, user):
        return queryset.filter(person=person)
    return queryset.visible_to(user).filter(person=person)


class WorkerGender(models.TextChoices):
    """Who a person would rather work with: a stated preference, honoured where the team can."""

    NO_PREFERENCE = "", "No preference"
    WOMAN = "woman", "A woman"
    MAN = "man", "A man"


class RiskFlag(models.TextChoices):
    """What a worker must know before seeing the person; the detail lives in the record."""

    VISIT_IN_PAIRS = "visit_in_pairs", "Visit in pairs"
    RISK_TO_OTHERS = "risk_to_others", "Risk to others"
    RISK_FROM_OTHERS = "risk_from_others", "Risk from others or exploitation"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse: the abuser may be present"
    SELF_HARM = "self_harm", "Self-harm or suicide risk"
    OVERDOSE = "overdose", "Overdose risk"
    SAFEGUARDING_CHILDREN = "safeguarding_children", "Safeguarding: children"


# Each way of reaching a person, and the field that says whether it is safe.
CONTACT_ROUTES = {
    "phone": "safe_to_phone",
    "text": "safe_to_text",
    "voicemail": "safe_to_leave_voicemail",
    "letter": "safe_to_write",
    "visit": "safe_to_visit",
}
ROUTE_LABELS = {
    "phone": "no calls",
    "text": "no texts",
    "voicemail": "no voicemail",
    "letter": "no letters",
    "visit": "no home visits",
}


class Person(Versioned, BaseModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="people")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    known_as = models.CharField(
        "known as", max_length=100, blank=True, help_text="The name the person likes to be called."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only when the date of birth is not known."
    )
    approximate_age_recorded_on = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )

    phone = models.CharField(max_length=40, blank=True)
    safe_to_text = models.CharField(max_length=12, choices=YesNo.choices, default=YesNo.NOT_KNOWN)
    safe_to_leave_voicemail = models.CharField(
        max_length=12, choices=YesNo.choices, default=YesNo.NOT_KNOWN
    )
    contact_notes = models.TextField("how to reach them safely", max_length=2000, blank=True)
    # Safe contact: how the person may be reached without putting them at risk (from an abuser
    # who reads their phone, opens their post or answers the door). "No" on a route means
    # nothing in the app is ever sent to them that way (`may_contact_by`).
    safe_to_phone = models.CharField(max_length=12, choices=YesNo.choices, default=YesNo.NOT_KNOWN)
    safe_to_write = models.CharField(
        "safe to write to", max_length=12, choices=YesNo.choices, default=YesNo.NOT_KNOWN
    )
    safe_to_visit = models.CharField(
        "safe to visit at home", max_length=12, choices=YesNo.choices, default=YesNo.NOT_KNOWN
    )
    safe_time = models.CharField("a safe time to contact them", max_length=200, blank=True)
    code_word = models.CharField(
        "code word",
        max_length=100,
        blank=True,
        help_text="Agreed with them: said to check it is safe to talk, or by them to say it is not.",
    )
    abuser_may_be_present = models.CharField(
        "the abuser may be present",
        max_length=12,
        choices=YesNo.choices,
        default=YesNo.NOT_KNOWN,
    )

    gender = models.CharField(max_length=12, choices=Gender.choices, default=Gender.NOT_KNOWN)
    gender_same_as_sex_at_birth = models.CharField(
        "gender identity the same as sex registered at birth",
        max_length=12,
        choices=YesNo.choices,
        default=YesNo.NOT_KNOWN,
    )
    ethnicity = models.CharField(
        max_length=32, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN
    )
    sexual_orientation = models.CharField(
        max_length=12, choices=SexualOrientation.choices, default=SexualOrientation.NOT_KNOWN
    )
    religion = models.CharField(
        "religion or belief", max_length=12, choices=Religion.choices, default=Religion.NOT_KNOWN
    )
    disability = models.CharField(
        "long-term condition that limits day-to-day activities",
        max_length=12,
        choices=YesNo.choices,
        default=YesNo.NOT_KNOWN,
    )
    preferred_language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.CharField(
        max_length=12, choices=YesNo.choices, default=YesNo.NOT_KNOWN
    )

    # Who they would like to work with, read by the team leader when allocating.
    worker_gender_preference = models.CharField(
        "would like a worker who is",
        max_length=12,
        choices=WorkerGender.choices,
        blank=True,
        default=WorkerGender.NO_PREFERENCE,
    )
    wants_lived_experience = models.BooleanField(
        "would like someone with lived experience", default=False
    )
    allocation_notes = models.CharField(
        "anything else about who they work well with", max_length=500, blank=True
    )
    # A short list of RiskFlag values, shown on the caseload and person page.
    risk_flags = models.JSONField(default=list, blank=True)
    # The create form's one-time key (smd.submission): sent twice, it makes one.
    submission_key = submission_key_field()

    objects = PersonQuerySet.as_manager()

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["team", "last_name"], name="person_team_last_name"),
            models.Index(fields=["date_of_birth"], name="person_dob"),
            models.Index(fields=["nhs_number"], name="person_nhs_number"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(approximate_age__isnull=True)
                | (Q(approximate_age__gte=16) & Q(approximate_age__lte=120)),
                name="person_approximate_age_range",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        full = f"{self.first_name} {self.last_name}".strip()
        if self.known_as and self.known_as != self.first_name:
            return f"{full} ({self.known_as})"
        return full

    def get_absolute_url(self):
        return reverse("caseload:person_detail", args=[self.pk])

    def age(self, on=None):
        return age_on(
            date_of_birth=self.date_of_birth,
            approximate_age=self.approximate_age,
            approximate_age_recorded_on=self.approximate_age_recorded_on,
            on=on or timezone.localdate(),
        )

    def may_contact_by(self, route):
        """Whether anything may be sent to the person by `route` (one of CONTACT_ROUTES): never
        by a route marked unsafe, nor by phone or text with no number."""
        if route not in CONTACT_ROUTES:
            raise ValueError(f"Unknown contact route: {route}")
        if not self._route_open(route):
            return False
        return bool(self.phone) or route not in {"phone", "text", "voicemail"}

    @property
    def unsafe_routes(self):
        """The routes marked unsafe, in words, for the safety badge."""
        return [label for route, label in ROUTE_LABELS.items() if not self._route_open(route)]

    def _route_open(self, route):
        return getattr(self, CONTACT_ROUTES[route]) != YesNo.NO

    @property
    def has_safe_contact_settings(self):
        """Anything said about contacting them safely that a worker must see first."""
        return bool(
            self.unsafe_routes
            or self.safe_time
            or self.code_word
            or self.abuser_may_be_present == YesNo.YES
        )

    def get_risk_flags_display(self):
        labels = dict(RiskFlag.choices)
        return [labels.get(flag, flag) for flag in self.risk_flags or []]

    def all_names(self):
        """Every name the person is known by, for matching referrals."""
        names = [f"{self.first_name} {self.last_name}"]
        if self.known_as:
            names.append(f"{self.known_as} {self.last_name}")
            names.append(self.known_as)
        names.extend(alias.name for alias in self.aliases.all())
        return names


class PersonAlias(BaseModel):
    """Another name the person has used (a previous surname, a street name)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], name="person_alias_unique"),
        ]

    def __str__(self):
        return self.name
