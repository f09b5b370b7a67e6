"""What erasure does to each kind of record (ADR 0017).

Every field of every model in a person's record is named here as kept or cleared: a model or
field added later and not named makes `tests/rights/test_policy.py` fail, so nobody erases (or
keeps) something by accident. Kept are the dates, statuses, codes and scores the quarterly
return and the referral overview count, and the links between rows; cleared are names,
identifiers, contact details and every word typed. A few kinds of row are deleted whole: they
hold nothing the figures count.
"""

from django.db.models import Case, F, Value, When
from django.db.models.functions import TruncMonth

from referrals.models import new_reference
from rights.collect import history_model_of, name_of
from smd.audit.history import history_purge_person
from smd.person_records import person_model
from smd.versioning import Versioned

# What a cleared text field says when the database requires it to say something.
PLACEHOLDER = "[erased]"
CLEAR = object()  # blank, null, or the field's default, whichever the field allows
# The return splits people by age band on the last day of each quarter, so an erased record
# keeps the month and year of birth (the first of the month), never the day: the same band on
# every quarter's last day, and a past return recomputed after erasure is unchanged.
BIRTH_MONTH = TruncMonth("date_of_birth")
DELETE = "delete"
# A version is a counter of saves (smd/versioning.py), not anything about the person.
ALWAYS_KEPT = {"id", "created_at", "updated_at", "version"}

POLICY = {
    "caseload.Person": {
        "keep": {
            "submission_key",
            "team",
            "gender",
            "gender_same_as_sex_at_birth",
            "ethnicity",
            "sexual_orientation",
            "religion",
            "disability",
            # An age and the day it was given: what the age bands read when no date of birth.
            "approximate_age",
            "approximate_age_recorded_on",
        },
        "clear": {
            "first_name": "Erased",
            "last_name": "record",
            "known_as": CLEAR,
            "date_of_birth": BIRTH_MONTH,
            "nhs_number": CLEAR,
            "phone": CLEAR,
            "safe_to_text": CLEAR,
            "safe_to_leave_voicemail": CLEAR,
            "safe_to_phone": CLEAR,
            "safe_to_write": CLEAR,
            "safe_to_visit": CLEAR,
            "safe_time": CLEAR,
            "code_word": CLEAR,
            "abuser_may_be_present": CLEAR,
            "contact_notes": CLEAR,
            "preferred_language": CLEAR,
            "interpreter_needed": CLEAR,
            "worker_gender_preference": CLEAR,
            "wants_lived_experience": CLEAR,
            "allocation_notes": CLEAR,
            "risk_flags": CLEAR,
        },
    },
    "caseload.PersonAlias": DELETE,
    "referrals.Referral": {
        "keep": {
            "submission_key",
            "team",
            "channel",
            "status",
            "person",
            "gender",
            "ethnicity",
            "homelessness",
            "mental_health",
            "substance_misuse",
            "offending",
            "domestic_abuse",
            "consent",
            "is_self_referral",
            "referrer_organisation",
            "referrer_organisation_name",
            "referred_by_user",
        },
        "clear": {
            # The reference was sent to the referrer: a new one breaks that link.
            "reference": new_reference,
            "first_name": "Erased",
            "last_name": "record",
            "known_as": CLEAR,
            "date_of_birth": CLEAR,
            "nhs_number": CLEAR,
            "contact_details": CLEAR,
            "homelessness_note": CLEAR,
            "mental_health_note": CLEAR,
            "substance_misuse_note": CLEAR,
            "offending_note": CLEAR,
            "domestic_abuse_note": CLEAR,
            "why_now": CLEAR,
            "safety_information": CLEAR,
            "referrer_name": CLEAR,
            "referrer_contact": CLEAR,
            "referrer_continuing_support": CLEAR,
        },
    },
    "referrals.EligibilityDecision": {
        "keep": {
            "submission_key",
            "referral",
            "outcome",
            "disadvantage_count",
            "decided_by",
            "decided_at",
        },
        "clear": {"reason": CLEAR, "signposted_to": CLEAR},
    },
    "caseload.Episode": {
        "keep": {
            "person",
            "referral",
            "status",
            "accepted_on",
            "start_date",
            "end_date",
            "exit_destination",
            "ending_planned",
        },
        "clear": {"closing_note": CLEAR},
    },
    "caseload.EpisodeStatusChange": {
        "keep": {
            "submission_key",
            "episode",
            "from_status",
            "to_status",
            "pause_reason",
            "changed_at",
            "changed_by",
        },
        "clear": {"note": CLEAR},
    },
    "caseload.Allocation": {
        "keep": {
            "submission_key",
            "episode",
            "worker",
            "kind",
            "started_at",
            "ended_at",
            "allocated_by",
            "handed_over_from",
            "over_capacity",
            "ended_by",
        },
        "clear": {"reason": CLEAR, "over_capacity_reason": CLEAR, "end_reason": CLEAR},
    },
    "caseload.Contact": {
        "keep": {
            "person",
            "episode",
            "author",
            "occurred_at",
            "kind",
            "duration_minutes",
            "with_person",
            "agencies",
            "topics",
            "follow_up_due",
            "follow_up_done_at",
            "follow_up_done_by",
            "submission_key",
            "edited_at",
        },
        "clear": {"summary": CLEAR, "follow_up_action": CLEAR},
    },
    # Appointments: when, how, with whom on the staff and what became of them are kept (the return
    # counts those not attended); where, who else came and why it was cancelled are cleared.
    "appointments.Appointment": {
        "keep": {
            "submission_key",
            "person",
            "worker",
            "booked_by",
            "starts_at",
            "ends_at",
            "kind",
            "remind_before_hours",
            "status",
            "contact",
            "outcome_at",
            "outcome_by",
        },
        "clear": {"place": CLEAR, "other_attendees": CLEAR, "cancel_reason": CLEAR},
    },
    # Earlier wording of contacts: nothing counted, everything typed.
    "caseload.ContactVersion": DELETE,
    "caseload.Goal": {
        "keep": {"submission_key", "person", "episode", "status", "review_on", "recorded_by"},
        "clear": {"in_their_words": CLEAR, "strengths": CLEAR, "steps": CLEAR},
    },
    "caseload.GoalReview": {
        "keep": {
            "submission_key",
            "goal",
            "from_status",
            "to_status",
            "review_on",
            "reviewed_at",
            "reviewed_by",
        },
        "clear": {"note": CLEAR},
    },
    "caseload.ServiceEvent": {
        "keep": {
            "person",
            "episode",
            "kind",
            "occurred_on",
            "quantity",
            "source",
            "recorded_by",
            "submission_key",
        },
        "clear": {"note": CLEAR},
    },
    "caseload.AccommodationChange": {
        "keep": {"submission_key", "person", "status", "from_date", "recorded_by"},
        "clear": {"note": CLEAR},
    },
    "caseload.PersonalBudget": {
        "keep": {
            "submission_key",
            "person",
            "episode",
            "amount_offered",
            "offered_on",
            "offered_by",
        },
        "clear": {"note": CLEAR},
    },
    "caseload.BudgetSpend": {
        "keep": {
            "submission_key",
            "budget",
            "spent_on",
            "amount",
            "approved_by",
            "recorded_by",
            "over_budget",
        },
        "clear": {"purpose": CLEAR, "over_budget_reason": CLEAR},
    },
    "caseload.OutcomesStarRecord": {
        "keep": {"submission_key", "person", "completed_on", "recorded_by"},
        "clear": {"held_at": CLEAR, "star_name": CLEAR},
    },
    "assessments.Assessment": {
        "keep": {
            "submission_key",
            "person",
            "episode",
            "scheme",
            "status",
            "assessed_on",
            "assessor",
            "participation",
            "total",
            "standard_total",
            "completed_at",
        },
        "clear": {},
    },
    "assessments.ItemScore": {"keep": {"assessment", "item", "score"}, "clear": {"note": CLEAR}},
    # The assessment before a correction, notes included; the figures use the corrected one.
    "assessments.AssessmentCorrection": DELETE,
    "assessments.ReqolRecord": {
        "keep": {
            "submission_key",
            "person",
            "episode",
            "definition",
            "completed_on",
            "completion",
            "total",
            "recorded_by",
        },
        "clear": {},
    },
    "assessments.ReqolAnswer": {
        "keep": {"record", "item", "response", "reversed", "score"},
        "clear": {},
    },
    # Consent and sharing: which basis and agreements existed, with whom, when, and when they
    # were withdrawn, are kept (the return counts withdrawals); the words typed are cleared.
    "sharing.LawfulBasis": {
        "keep": {
            "submission_key",
            "person",
            "article_6",
            "article_9",
            "recorded_at",
            "recorded_by",
        },
        "clear": {"notes": CLEAR},
    },
    "sharing.SharingAgreement": {
        "keep": {
            "submission_key",
            "person",
            "organisation",
            "purpose",
            "how_recorded",
            "recorded_at",
            "recorded_by",
            "expires_on",
            "withdrawn_at",
            "withdrawn_by",
        },
        "clear": {"lawful_basis_reason": CLEAR, "withdrawal_reason": CLEAR},
    },
    # A document is the file: nothing in it is counted, so the row goes and its file leaves
    # storage once the erasure is committed (documents.receivers).
    "documents.Document": DELETE,
    # Domestic abuse: the risk levels, counts, dates and MARAC criteria the return counts are
    # kept; the words typed (notes, reasons, what the MARAC decided, actions) are cleared.
    "domestic_abuse.DashChecklist": {
        "keep": {
            "submission_key",
            "person",
            "definition",
            "completed_on",
            "assessor",
            "yes_count",
            "judgement",
            "police_call_outs",
            "risk_level",
            "high_because",
        },
        "clear": {"judgement_reason": CLEAR},
    },
    "domestic_abuse.DashAnswer": {
        "keep": {"checklist", "question", "answer", "source"},
        "clear": {"note": CLEAR},
    },
    "domestic_abuse.MaracReferral": {
        "keep": {
            "submission_key",
            "person",
            "checklist",
            "referred_on",
            "marac",
            "referred_by",
            "criteria",
            "is_repeat",
            "sharing_basis",
            "heard_on",
        },
        "clear": {"lawful_basis": CLEAR, "outcome_note": CLEAR},
    },
    "domestic_abuse.MaracAction": {
        "keep": {
            "submission_key",
            "referral",
            "person",
            "owner",
            "owner_organisation",
            "due_on",
            "done_at",
            "created_by",
        },
        "clear": {"description": CLEAR},
    },
    # Which source system's record each imported row came from, by that system's own key: kept
    # whole, so the previous system's file run again never brings an erased record back
    # (ADR 0030). It holds no name or detail, only the other system's id.
    "importer.ImportedRecord": {
        "keep": {"source", "kind", "source_id", "person", "object_id", "run", "imported_at"},
        "clear": {},
    },
    "mdt.MdtReferral": {
        "keep": {
            "submission_key",
            "person",
            "source",
            "referring_organisation",
            "referred_by",
            "urgency",
            "sharing_basis",
            "lawful_basis",
            "status",
        },
        "clear": {
            "why_now": CLEAR,
            "tried": CLEAR,
            "asked_of_partners": CLEAR,
            "basis_reason": CLEAR,
        },
    },
    "mdt.AgendaItem": {
        "keep": {
            "submission_key",
            "meeting",
            "person",
            "kind",
            "mdt_referral",
            "sharing_basis",
            "position",
            "minutes",
            "outcome",
            "saved_at",
            "saved_by",
        },
        "clear": {"notes": CLEAR, "decisions": CLEAR},
    },
    "mdt.Action": {
        "keep": {
            "submission_key",
            "agenda_item",
            "person",
            "owner",
            "owner_organisation",
            "due_on",
            "done_at",
            "created_by",
        },
        "clear": {"description": CLEAR, "progress_note": CLEAR},
    },
}


def field_names(model):
    """Every field a policy must name: concrete fields and many-to-many, less the base ones."""
    names = {f.name for f in model._meta.concrete_fields} | {
        f.name for f in model._meta.many_to_many
    }
    return names - ALWAYS_KEPT


def _cleared(field):
    """The value a cleared field takes, as an expression for one UPDATE over many rows."""
    if field.null:
        return Value(None, output_field=field)
    if field.get_internal_type() in {"CharField", "TextField"} and not field.choices:
        # Text the database requires (a contact's summary) becomes the placeholder; text that
        # was left blank stays blank, so constraints like "a due date needs an action" hold.
        return Case(
            When(**{field.name: ""}, then=Value("")),
            default=Value(PLACEHOLDER),
            output_field=field,
        )
    if field.has_default():
        return Value(field.get_default(), output_field=field)
    return Value("", output_field=field)


def anonymise(found):
    """Erase the records `collect` found: clear or delete by the policy, then delete every
    earlier version of the people's records (`history_purge_person`). Returns
    ({label: (action, rows)}, history rows deleted)."""
    done = {}
    for model, keys in found.items():
        policy = POLICY[model._meta.label]
        rows = model._base_manager.filter(pk__in=list(keys))
        if policy == DELETE:
            done[model._meta.label] = ["deleted", rows.count()]
            continue
        fixed, per_row = {}, {}
        for name, value in policy["clear"].items():
            field = model._meta.get_field(name)
            if value is CLEAR:
                fixed[name] = _cleared(field)
            elif hasattr(value, "resolve_expression"):
                fixed[name] = value  # worked out from the row's own value
            elif callable(value):
                per_row[name] = value
            else:
                fixed[name] = Value(value, output_field=field)
        if fixed and issubclass(model, Versioned):
            # An edit form left open on the record must not write back what was erased.
            fixed["version"] = F("version") + 1
        count = rows.update(**fixed) if fixed else rows.count()
        for pk in keys if per_row else ():
            model._base_manager.filter(pk=pk).update(**{n: make() for n, make in per_row.items()})
        done[model._meta.label] = ["anonymised", count]
    # Deleted last and leaves first: nothing else points at them.
    for model, keys in reversed(list(found.items())):
        if POLICY[model._meta.label] == DELETE:
            model._base_manager.filter(pk__in=list(keys)).delete()
    # Last: deleting a row (an alias) writes a version of it, which goes too.
    history = sum(history_purge_person(person_id=pk) for pk in found.get(person_model(), ()))
    return done, history


def preview(found):
    """What erasing these records would do, without doing it: one line per kind of record."""
    lines = []
    for model, keys in found.items():
        policy = POLICY[model._meta.label]
        meta = model._meta
        history = history_model_of(model)
        earlier = (
            history._base_manager.filter(**{f"{meta.pk.attname}__in": list(keys)}).count()
            if history is not None
            else 0
        )
        if policy == DELETE:
            cleared = []
        else:
            cleared = [str(meta.get_field(n).verbose_name) for n in policy["clear"]]
        lines.append(
            {
                "label": meta.label,
                "name": name_of(model),
                "rows": len(keys),
                "action": "deleted" if policy == DELETE else "anonymised",
                "cleared": cleared,
                "history": earlier,
            }
        )
    return lines
