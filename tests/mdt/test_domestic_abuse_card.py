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


def test_the_card_shows_the_latest_checklist_and_referral_as_recorded(
    client_for, item, person, navigator, chair
):
    import html
    from datetime import date

    from domestic_abuse.services import checklist_record, definition_import, marac_heard
    from tests.domestic_abuse.conftest import answers, dash_data

    definition = definition_import(data=dash_data())
    for on, yes in [(date(2026, 1, 5), 2), (date(2026, 3, 2), 15), (date(2026, 2, 9), 3)]:
        checklist_record(
            person=person,
            definition=definition,
            answers=answers(yes),
            by=navigator,
            completed_on=on,
        )
    referral = _refer(person, navigator)
    today = timezone.localdate()
    marac_heard(referral=referral, heard_on=today, outcome_note="Safety plan agreed.")
    summary = case_summary(item, chair)
    latest = summary["latest"]
    assert (latest.completed_on, latest.yes_count, latest.risk_level) == (
        date(2026, 3, 2),
        15,
        "high",
    )
    assert latest.definition.acknowledgement == definition.acknowledgement
    assert summary["referral"].pk == referral.pk and summary["referral"].heard_on == today
    page = client_for(chair).get(reverse("mdt:case", args=[item.pk])).content.decode()
    assert f"<strong>{latest.get_risk_level_display()}</strong> (DASH 2 Mar 2026)" in page
    assert html.escape(definition.acknowledgement) in page
    assert f"referred to City MARAC {today:%-d %b %Y}, heard {today:%-d %b %Y}" in page
