"""Reads for consent and information sharing, with their own eager loading."""

from django.db.models import Exists, F, OuterRef

from sharing.models import DataSharingAgreement, LawfulBasis, SharingAgreement


def person_sharing(person):
    """The consent and sharing section of a person's page: the current lawful basis, and every
    sharing agreement (in force first, then the history). Two queries."""
    basis = (
        LawfulBasis.objects.filter(person=person)
        .select_related("recorded_by")
        .order_by("-recorded_at")
        .first()
    )
    agreements = list(
        SharingAgreement.objects.filter(person=person)
        .select_related("organisation", "recorded_by", "withdrawn_by")
        .order_by("organisation__name", "-recorded_at")
    )
    in_force = [a for a in agreements if a.is_in_force]
    history = [a for a in agreements if not a.is_in_force]
    return {"basis": basis, "in_force": in_force, "history": history}


def mdt_sharing_in_force_for(person_ref="person"):
    """An Exists() for annotating rows that name a person: an MDT agreement in force."""
    return Exists(SharingAgreement.objects.in_force().for_mdt().filter(person=OuterRef(person_ref)))


def register_for(user):
    """The data-sharing agreements the user's organisation is a party to, with their parties."""
    return (
        DataSharingAgreement.objects.visible_to(user)
        .select_related("recorded_by")
        .prefetch_related("parties")
        .order_by(F("ended_on").asc(nulls_first=True), "review_on", "title")
    )
