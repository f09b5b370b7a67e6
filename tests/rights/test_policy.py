"""Erasure names every field of every kind of record as kept or cleared: a model or field added
later fails here until someone decides."""

from rights.collect import EXCLUDED, person_models
from rights.erasure import DELETE, POLICY, field_names


def test_every_kind_of_person_record_has_an_erasure_policy():
    labels = {m._meta.label for m in person_models()}
    missing = labels - set(POLICY)
    assert not missing, f"Say in rights/erasure.py POLICY what erasure does to: {missing}"
    assert not set(POLICY) - labels, "POLICY names a model that no longer holds person data"
    assert not labels & set(EXCLUDED)


def test_every_field_is_kept_or_cleared_and_none_twice():
    for model in person_models():
        policy = POLICY[model._meta.label]
        if policy == DELETE:
            continue
        keep, clear = set(policy["keep"]), set(policy["clear"])
        fields = field_names(model)
        assert not keep & clear, f"{model._meta.label}: {keep & clear} both kept and cleared"
        unnamed = fields - keep - clear
        assert not unnamed, f"{model._meta.label}: say whether erasure keeps or clears {unnamed}"
        unknown = (keep | clear) - fields
        assert not unknown, f"{model._meta.label}: no such fields {unknown}"


def test_the_fields_the_figures_count_are_kept():
    """The quarterly return and the referral overview read these (ADR 0017)."""
    counted = {
        "caseload.Person": {
            "team",
            "gender",
            "ethnicity",
            "sexual_orientation",
            "religion",
            "disability",
        },
        "caseload.Episode": {"status", "accepted_on", "start_date", "end_date", "exit_destination"},
        "referrals.Referral": {
            "team",
            "status",
            "person",
            "gender",
            "ethnicity",
            "domestic_abuse",
            "is_self_referral",
            "referrer_organisation",
            "referrer_organisation_name",
        },
        "referrals.EligibilityDecision": {"outcome", "decided_at"},
        "caseload.Allocation": {"kind", "worker", "started_at", "ended_at"},
        "caseload.ServiceEvent": {"kind", "occurred_on", "quantity"},
        "caseload.AccommodationChange": {"status", "from_date"},
        "caseload.PersonalBudget": {"offered_on", "amount_offered"},
        "caseload.BudgetSpend": {"spent_on", "amount"},
        "caseload.OutcomesStarRecord": {"completed_on"},
        "assessments.Assessment": {"status", "assessed_on", "total", "standard_total", "scheme"},
        "assessments.ReqolRecord": {"completed_on", "total"},
        "mdt.MdtReferral": {"source", "person"},
        "mdt.AgendaItem": {"meeting", "person", "outcome"},
        "mdt.Action": {"agenda_item", "person", "due_on", "done_at"},
    }
    for label, fields in counted.items():
        assert fields <= set(POLICY[label]["keep"]), label
