"""Reads for consent and information sharing, with their own eager loading."""

from django.db.models import Exists, F, OuterRef, Q

from caseload.models import was_read_for
from caseload.selectors import latest_record, record_from
from sharing.models import DataSharingAgreement, LawfulBasis, Purpose, SharingAgreement
from smd.models import Organisation
from smd.prepared import PreparedQuery

# Only the columns the card shows: the two users' rows in full cost more to load than the
# agreements (sharing/person_panel.html and sharing_tags.agreements_in_force read nothing else;
# another field read there would be a query per agreement, which the person page's pinned query
# count would catch).
_BY = ("first_name", "last_name", "username")
_AGREEMENT_SHOWN = (
    "organisation__name",
    "purpose",
    "how_recorded",
    "lawful_basis_reason",
    "recorded_at",
    "expires_on",
    "withdrawn_at",
    "withdrawal_reason",
    *(f"recorded_by__{field}" for field in _BY),
    *(f"withdrawn_by__{field}" for field in _BY),
)


def _agreements_shown(agreements):
    return (
        agreements.select_related("organisation", "recorded_by", "withdrawn_by")
        .only(*_AGREEMENT_SHOWN)
        .order_by("organisation__name", "-recorded_at")
    )


# The person page's card, for a person read for the user: compiled once (ADR 0039).
_agreements_of_person = PreparedQuery(
    SharingAgreement,
    lambda pk: _agreements_shown(SharingAgreement.objects.filter(person_id=pk)),
)


def person_sharing(person, user=None):
    """The consent and sharing section of a person's page: the current lawful basis, and every
    sharing agreement (in force first, then the history). One query when the basis came with
    the person page's own (person_annotations), else two; the agreements' query compiled once
    per process when the person was read for `user`."""
    if hasattr(person, "sharing_basis"):
        basis = record_from(LawfulBasis, person.sharing_basis)
    else:
        basis = (
            LawfulBasis.objects.filter(person=person)
            .select_related("recorded_by")
            .order_by("-recorded_at")
            .first()
        )
    if was_read_for(person, user):
        agreements = _agreements_of_person.objects(person.pk)
    else:
        agreements = list(_agreements_shown(SharingAgreement.objects.filter(person=person)))
    in_force = [a for a in agreements if a.is_in_force]
    history = [a for a in agreements if not a.is_in_force]
    return {"basis": basis, "in_force": in_force, "history": history}


def person_annotations(user):
    """The current lawful basis, as the sharing card shows it, on the person page's own query
    (registered with caseload.selectors by SharingConfig.ready())."""
    bases = LawfulBasis.objects.filter(person=OuterRef("pk")).order_by("-recorded_at")
    by = ("recorded_by__first_name", "recorded_by__last_name", "recorded_by__username")
    fields = ("id", "article_6", "article_9", "notes", "recorded_at", *by)
    return {"sharing_basis": latest_record(bases, *fields)}


# May organisation O be told about person P at team T's MDT? Only while an MDT data-sharing
# agreement in force has both O and T's organisation as parties, and P's own MDT sharing
# agreement with O is in force. Worked out on every read, so a withdrawal, an expiry or an ended
# agreement takes effect at once (ADR 0016). The two functions below are that rule, as a
# database condition and for a list of people; both are made from these two querysets.


def _mdt_register(team, on=None):
    """MDT data-sharing agreements in force that the team's organisation is a party to."""
    return DataSharingAgreement.objects.in_force(on).filter(
        purpose=Purpose.MDT, parties__teams=team
    )


def _mdt_agreements(on=None):
    """People's MDT sharing agreements in force."""
    return SharingAgreement.objects.in_force(on).for_mdt()


def partner_may_be_told(organisation_id, *, person, team):
    """The rule as a condition on rows naming a person and a team (`person` and `team` are
    expressions such as `OuterRef("person")`): the partner organisation may be told about them."""
    if organisation_id is None:
        return Q(pk__in=[])
    register = _mdt_register(team).filter(parties=organisation_id)
    agreed = _mdt_agreements().filter(person=person, organisation=organisation_id)
    return Q(Exists(register)) & Q(Exists(agreed))


def partners_told_rows(*, team, organisations, people, on=None):
    """The rule for many at once, as a query of (person_id, organisation_id) rows: where each
    of these organisations may be told about each of these people at the team's MDT on the
    day `on` (today). `team`, `organisations` and `people` may be ids or subqueries; the
    organisations with a data-sharing agreement in force are a subquery of it."""
    covered = Organisation.objects.filter(
        pk__in=organisations, data_sharing_agreements__in=_mdt_register(team, on)
    ).values("pk")
    return (
        _mdt_agreements(on)
        .filter(person__in=people, organisation__in=covered)
        .values("person_id", "organisation_id")
    )


def mdt_sharing_in_force_for(person_ref="person"):
    """An Exists() for annotating rows that name a person: an MDT agreement in force, with any
    organisation (what placing them on an agenda needs)."""
    return Exists(_mdt_agreements().filter(person=OuterRef(person_ref)))


def register_for(user):
    """The data-sharing agreements the user's organisation is a party to, with their parties."""
    return (
        DataSharingAgreement.objects.visible_to(user)
        .select_related("recorded_by")
        .prefetch_related("parties")
        .order_by(F("ended_on").asc(nulls_first=True), "review_on", "title")
    )
