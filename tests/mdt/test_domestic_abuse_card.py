"""The MDT case shows the person's domestic-abuse risk, MARAC status and safe-contact badge: to
team staff, and to a partner only while the person's sharing lets their organisation be told
(sharing.selectors.partner_may_be_told)."""

from django.urls import reverse
from django.utils import timezone

from domestic_abuse.selectors import case_summary
from domestic_abuse.services import marac_refer
from mdt.services import agenda_share
from sharing.services import sharing_agreement_withdraw
from smd.models import Role
from tests.factories import OrganisationFactory, UserFactory


def _refer(person, by):
    return marac_refer(
        person=person,
        referred_on=timezone.localdate(),
        marac="City MARAC",
        criteria=["professional_judgement"],
        sharing_basis="consent",
        by=by,
    )


def test_the_case_shows_risk_marac_and_safe_contact_to_staff_and_the_told_partner(
    client_for, item, meeting, person, navigator, chair, partner, count_queries
):
    agenda_share(meeting=meeting)
    person.safe_to_phone = "no"
    person.abuser_may_be_present = "yes"
    person.save()
    url = reverse("mdt:case", args=[item.pk])
    before = count_queries.page(client_for(chair), url)
    _refer(person, navigator)
    for user in (chair, partner):
        page = client_for(user).get(url).content.decode()
        assert "Domestic abuse" in page and "referred to City MARAC" in page
        assert "Safe contact: no calls; the abuser may be present" in page
    # Team staff: two queries more than a case without the card's rows would need are pinned.
    assert count_queries.page(client_for(chair), url) == before


def test_a_partner_whose_organisation_may_not_be_told_gets_no_card(item, person, navigator):
    _refer(person, navigator)
    stranger = UserFactory(
        role=Role.MDT_MEMBER, team=None, organisation=OrganisationFactory(name="Elsewhere")
    )
    assert case_summary(item, stranger) is None


def test_the_card_goes_when_the_persons_sharing_is_withdrawn(item, person, navigator, partner):
    _refer(person, navigator)
    assert case_summary(item, partner)["referral"] is not None
    for agreement in person.sharing_agreements.all():
        sharing_agreement_withdraw(agreement=agreement, reason="Changed their mind", by=navigator)
    assert case_summary(item, partner) is None


def test_the_chairs_live_screen_shows_the_card_and_the_badge(
    client_for, item, meeting, person, navigator, chair
):
    person.safe_to_visit = "no"
    person.save()
    _refer(person, navigator)
    page = client_for(chair).get(reverse("mdt:live", args=[meeting.pk]), {"case": item.pk})
    text = page.content.decode()
    assert "referred to City MARAC" in text and "Safe contact: no home visits" in text
