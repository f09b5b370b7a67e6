"""What each endpoint answers, field by field.

Each serializer lists the fields that identify a person (`identifiable`) and the free text
(`notes`): a pseudonymised token gets neither, whatever else it asks; notes go only to an
identifiable token made with them. A person is always named by `person_ref` (a pseudonym for
the token's purpose unless the token is identifiable).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from api.selectors import person_ref
from smd.characteristics import age_band


class PersonRefField(serializers.Field):
    """The person a record is about, as this token names them."""

    def __init__(self, source="person_id", **kwargs):
        super().__init__(source=source, read_only=True, **kwargs)

    def to_representation(self, value):
        return person_ref(self.context["token"], value)


extend_schema_field(
    {"type": "string", "description": "A pseudonym (PS-…) or, for identifiable tokens, an id."}
)(PersonRefField)


class Scoped(serializers.Serializer):
    identifiable = ()
    notes = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (*self.identifiable, *self.notes):
            self.fields[name].required = False  # in the answer only when the scope allows

    def to_representation(self, instance):
        token = self.context["token"]
        hidden = set()
        if not token.identifiable:
            hidden |= set(self.identifiable)
        if not token.include_notes:
            hidden |= set(self.notes)
        # What a token may not see is left out before it is read, not removed after.
        shown = {}
        for field in self._readable_fields:
            if field.field_name in hidden:
                continue
            try:
                value = field.get_attribute(instance)
            except SkipField:
                continue
            shown[field.field_name] = None if value is None else field.to_representation(value)
        return shown


class PersonSerializer(Scoped):
    identifiable = (
        "first_name",
        "last_name",
        "known_as",
        "date_of_birth",
        "approximate_age",
        "nhs_number",
        "phone",
    )

    person = PersonRefField(source="pk")
    gender = serializers.CharField()
    ethnicity = serializers.CharField()
    disability = serializers.CharField()
    age_band = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    known_as = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    approximate_age = serializers.IntegerField(allow_null=True)
    nhs_number = serializers.CharField()
    phone = serializers.CharField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_age_band(self, obj):
        """Today's age band (16_25, 26_35, 36_49, 50_plus), never the date of birth."""
        return age_band(obj.age())


class EpisodeSerializer(Scoped):
    notes = ("closing_note",)

    id = serializers.UUIDField()
    person = PersonRefField()
    status = serializers.CharField()
    accepted_on = serializers.DateField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    exit_destination = serializers.CharField()
    ending_planned = serializers.BooleanField(allow_null=True)
    closing_note = serializers.CharField()


class AllocationSerializer(Scoped):
    identifiable = ("worker",)
    notes = ("reason", "end_reason")

    id = serializers.UUIDField()
    person = PersonRefField(source="episode.person_id")
    episode = serializers.UUIDField(source="episode_id")
    kind = serializers.CharField()
    worker_role = serializers.CharField(source="worker.role")
    worker = serializers.CharField(
        source="worker.username", help_text="The worker's username (identifiable tokens only)."
    )
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    end_reason = serializers.CharField()


class ContactSerializer(Scoped):
    notes = ("summary", "follow_up_action")

    id = serializers.UUIDField()
    person = PersonRefField()
    episode = serializers.UUIDField(source="episode_id", allow_null=True)
    occurred_at = serializers.DateTimeField()
    kind = serializers.CharField()
    worker_role = serializers.CharField(source="author.role")
    duration_minutes = serializers.IntegerField()
    with_person = serializers.BooleanField()
    topics = serializers.ListField(child=serializers.CharField())
    agencies = serializers.SerializerMethodField()
    summary = serializers.CharField()
    follow_up_action = serializers.CharField()

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_agencies(self, obj):
        """The partner organisations involved (organisations, not people)."""
        return [agency.name for agency in obj.agencies.all()]


class ItemScoreSerializer(Scoped):
    notes = ("note",)

    key = serializers.CharField(source="item.key")
    weight = serializers.IntegerField(source="item.weight")
    score = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class AssessmentSerializer(Scoped):
    id = serializers.UUIDField()
    person = PersonRefField()
    episode = serializers.UUIDField(source="episode_id")
    scheme = serializers.CharField(source="scheme.code")
    scheme_version = serializers.IntegerField(source="scheme.version")
    assessed_on = serializers.DateField()
    completed_at = serializers.DateTimeField(allow_null=True)
    participation = serializers.CharField()
    total = serializers.IntegerField()
    standard_total = serializers.IntegerField()
    items = ItemScoreSerializer(source="scores", many=True)


class ReqolAnswerSerializer(serializers.Serializer):
    key = serializers.CharField(source="item.key")
    response = serializers.IntegerField()
    reversed = serializers.BooleanField()
    score = serializers.IntegerField()


class ReqolSerializer(Scoped):
    id = serializers.UUIDField()
    person = PersonRefField()
    episode = serializers.UUIDField(source="episode_id")
    definition_version = serializers.IntegerField(source="definition.version")
    completed_on = serializers.DateField()
    completion = serializers.CharField()
    total = serializers.IntegerField()
    answers = ReqolAnswerSerializer(many=True)


class CrisisEventSerializer(Scoped):
    notes = ("note",)

    id = serializers.UUIDField()
    person = PersonRefField()
    episode = serializers.UUIDField(source="episode_id", allow_null=True)
    kind = serializers.CharField()
    occurred_on = serializers.DateField()
    quantity = serializers.IntegerField()
    source = serializers.CharField()
    note = serializers.CharField()


class AccommodationSerializer(Scoped):
    notes = ("note",)

    id = serializers.UUIDField()
    person = PersonRefField()
    status = serializers.CharField()
    from_date = serializers.DateField()
    note = serializers.CharField()


class DecisionSerializer(Scoped):
    notes = ("reason", "signposted_to")

    outcome = serializers.CharField()
    disadvantage_count = serializers.IntegerField()
    decided_at = serializers.DateTimeField()
    reason = serializers.CharField()
    signposted_to = serializers.CharField()


class ReferralSerializer(Scoped):
    """A referral's metadata: when, from where, the five disadvantages and the decisions; never
    the referral's free text (why now, safety, the referrer's name or contact). A decision's
    reason and signposting go only to a token made with notes."""

    id = serializers.UUIDField()
    person = PersonRefField()
    channel = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField(source="created_at")
    homelessness = serializers.BooleanField()
    mental_health = serializers.BooleanField()
    substance_misuse = serializers.BooleanField()
    offending = serializers.BooleanField()
    domestic_abuse = serializers.BooleanField()
    consent = serializers.CharField()
    is_self_referral = serializers.BooleanField()
    referrer_organisation = serializers.SerializerMethodField()
    referrer_sector = serializers.SerializerMethodField()
    episode = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True)

    @extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
    def get_episode(self, obj):
        """The period of support the referral opened, if it opened one."""
        return str(obj.episode.pk) if hasattr(obj, "episode") else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_referrer_organisation(self, obj):
        """The referring organisation's name (an organisation, never a person)."""
        if obj.referrer_organisation_id:
            return obj.referrer_organisation.name
        return obj.referrer_organisation_name or None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_referrer_sector(self, obj):
        if obj.referrer_organisation_id:
            return obj.referrer_organisation.sector or None
        return None


class MdtFiguresSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    figures = serializers.DictField(
        help_text="Meetings held, referrals by source, cases and people discussed, attendance, "
        "actions agreed, completed and overdue, outcomes: each count split by gender, ethnicity "
        "and domestic-abuse survivors."
    )


class ReturnSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    version = serializers.IntegerField()
    finished_at = serializers.DateTimeField(allow_null=True)
    signed_off = serializers.SerializerMethodField()
    figures = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each figure: section, key, label, definition, kind, values by split, bases, "
        "counts_people, money. Small numbers are not suppressed here: the hub applies its own "
        "disclosure control before publishing.",
    )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_signed_off(self, obj):
        return obj.signed_off_at is not None
