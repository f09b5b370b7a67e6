import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from caseload import selectors as caseload_selectors
from caseload.models import Allocation, Contact, EpisodeStatus, ExitDestination
from mdt import selectors, services
from mdt.models import Action, AgendaItem, MdtMeeting, MdtReferral, SharingBasis
from tests.factories import (
    AllocationFactory,
    ContactFactory,
    EpisodeFactory,
    PersonFactory,
    current_version,
    new_key,
)
from tests.mdt.conftest import refer


def test_no_agenda_place_without_agreement_or_lawful_basis(meeting, person, navigator):
    waiting = refer(person, navigator, basis=SharingBasis.NONE)
    with pytest.raises(ValidationError, match="cannot be discussed yet"):
        services.agenda_add(meeting=meeting, person=person, mdt_referral=waiting)
    assert not meeting.agenda.exists()
    waiting.refresh_from_db()
    assert waiting.status == MdtReferral.Status.PENDING
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(
            meeting=meeting, person=person, kind="new", sharing_basis="none", position=1
        )


def test_lawful_basis_must_be_named_and_explained(person, navigator):
    with pytest.raises(ValidationError):
        refer(person, navigator, basis=SharingBasis.LAWFUL_BASIS)
    referral = refer(
        person,
        navigator,
        basis=SharingBasis.LAWFUL_BASIS,
        lawful_basis="safeguarding",
        basis_reason="Exploited by a local gang; at risk of serious harm",
    )
    assert referral.may_be_discussed


def test_referral_form_explains_a_missing_basis(navigator_client, person, navigator):
    url = reverse("mdt:referral_new", args=[person.pk])
    response = navigator_client.post(
        url,
        {
            "source": "navigator",
            "referring_organisation": navigator.organisation_id,
            "why_now": "Risk rising",
            "tried": "Weekly visits",
            "asked_of_partners": "Housing options",
            "urgency": "soon",
            "sharing_basis": "lawful_basis",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the lawful basis" in page and "Say why the case must be shared" in page
    assert not MdtReferral.objects.exists()


def test_actions_carry_forward_until_done(meeting, item, chair, partner, team):
    action = services.action_add(
        item=item,
        description="Book a joint appointment",
        owner=partner,
        owner_organisation=partner.organisation,
        due_on=timezone.localdate() + timedelta(days=7),
        by=chair,
    )
    services.meeting_finish(meeting=meeting)
    following = services.meeting_create(
        meeting=MdtMeeting(
            team=team, starts_at=timezone.now() + timedelta(days=16), place="Room 4", chair=chair
        ),
        organisations=[],
        members=[],
    )
    pending, reviews = selectors.agenda_candidates(following)
    assert [p.pk for p in reviews] == [item.person_id] and reviews[0].open_actions == 1
    review = services.agenda_add(meeting=following, person=item.person)
    assert review.kind == "review" and review.sharing_basis == "agreed"
    assert selectors.case_summary(review).earlier_actions == [action]
    services.action_update(action=action, done=True, by=partner)
    assert selectors.agenda_candidates(following)[1] == []


@pytest.mark.parametrize(
    ("due_in_days", "done", "overdue"),
    [(0, False, False), (-1, False, True), (1, False, False), (-5, True, False)],
)
def test_overdue_at_the_edges(item, chair, partner, due_in_days, done, overdue):
    today = timezone.localdate()
    action = Action.objects.create(
        agenda_item=item,
        person=item.person,
        description="Call the GP",
        owner=partner,
        owner_organisation=partner.organisation,
        due_on=today + timedelta(days=due_in_days),
        created_by=chair,
        done_at=timezone.now() if done else None,
    )
    assert action.is_overdue(today) is overdue
    assert (action in Action.objects.overdue(today)) is overdue


def _notes(client, item, version, notes, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("mdt:case_notes", args=[item.pk]),
        {"version": version, "notes": notes, "decisions": "", "outcome": ""},
        **headers,
    )


def test_autosave_saves_and_moves_the_version_on(client_for, chair, item):
    client = client_for(chair)
    response = _notes(client, item, 0, "Lee attended; agreed housing first")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saved at" in page and 'value="1"' in page and "hx-swap-oob" in page
    item.refresh_from_db()
    assert item.notes == "Lee attended; agreed housing first" and item.version == 1
    assert (
        _notes(client, item, 1, "Lee attended; agreed housing first. GP to review.").status_code
        == 200
    )


def test_two_people_editing_do_not_silently_overwrite(client_for, chair, team_leader, item):
    first, second = client_for(chair), client_for(team_leader)
    _notes(first, item, 0, "Chair's notes")
    response = _notes(second, item, 0, "Team leader's notes")
    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved" in page and "Chair&#x27;s notes" in page
    item.refresh_from_db()
    assert item.notes == "Chair's notes" and item.version == 1
    # Without JavaScript the second writer gets a page with both versions to merge.
    plain = _notes(second, item, 0, "Team leader's notes", htmx=False)
    assert plain.status_code == 409
    assert "Team leader&#x27;s notes" in plain.content.decode()


def _screen_version(response, held):
    """The version the live screen holds after this response: a response may move it on."""
    moved = re.search(r'name="version" value="(\d+)" id="id_version" hx-swap-oob', response.text)
    return int(moved.group(1)) if moved else held


def test_typing_on_after_a_conflict_does_not_overwrite_the_other_text(
    client_for, chair, team_leader, item
):
    first, second = client_for(chair), client_for(team_leader)
    _notes(first, item, 0, "Chair: housing first agreed")
    warned = _notes(second, item, 0, "Leader: GP review")
    assert warned.status_code == 409
    # The warned writer keeps typing; the next autosave goes with whatever the screen now holds.
    version = _screen_version(warned, 0)
    again = _notes(second, item, version, "Leader: GP review next week")
    assert again.status_code == 409
    item.refresh_from_db()
    assert item.notes == "Chair: housing first agreed" and item.version == 1


def test_merging_after_a_conflict_stores_both_texts_and_resumes_autosave(
    client_for, chair, team_leader, item
):
    first, second = client_for(chair), client_for(team_leader)
    _notes(first, item, 0, "Chair: housing first agreed")
    _notes(second, item, 0, "Leader: GP review")
    response = second.post(
        reverse("mdt:case_notes", args=[item.pk]),
        {"version": 0, "notes": "Leader: GP review", "decisions": "", "outcome": "", "merge": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.notes == "Chair: housing first agreed\n\nLeader: GP review"
    assert item.version == 2 and item.saved_by == team_leader
    # The whole form comes back holding both texts at the new version, so autosave goes on.
    assert 'id="case-notes"' in response.text and "Merged" in response.text
    assert 'name="version" value="2"' in response.text
    assert "Chair: housing first agreed" in response.text
    tidied = "Chair: housing first agreed\nLeader: GP review"
    assert _notes(second, item, 2, tidied).status_code == 200
    item.refresh_from_db()
    assert item.notes == tidied


def test_merging_without_javascript_stores_both_texts(client_for, chair, team_leader, item):
    _notes(client_for(chair), item, 0, "Chair: housing first agreed")
    response = client_for(team_leader).post(
        reverse("mdt:case_notes", args=[item.pk]),
        {"version": 0, "notes": "Leader: GP review", "decisions": "", "outcome": "", "merge": "1"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert "Chair: housing first agreed" in item.notes and "Leader: GP review" in item.notes


def test_a_refused_merge_answers_in_the_status_line_not_over_the_form(
    client_for, chair, team_leader, item, meeting
):
    _notes(client_for(chair), item, 0, "Chair: housing first agreed")
    services.meeting_finish(meeting=meeting)
    response = client_for(team_leader).post(
        reverse("mdt:case_notes", args=[item.pk]),
        {"version": 0, "notes": "Leader: GP review", "decisions": "", "outcome": "", "merge": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    # The merge button targets the whole form; the refusal goes to the status line instead.
    assert response["HX-Retarget"] == "#save-status" and response["HX-Reswap"] == "outerHTML"
    assert "This meeting has finished" in response.text
    item.refresh_from_db()
    assert item.notes == "Chair: housing first agreed"


def test_conflict_page_without_javascript_offers_both_texts_merged(
    client_for, chair, team_leader, item
):
    _notes(client_for(chair), item, 0, "Chair: housing first agreed")
    page = _notes(client_for(team_leader), item, 0, "Leader: GP review", htmx=False)
    assert page.status_code == 409
    box = re.search(r'<textarea id="merge-notes"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert box.group(1) == "Chair: housing first agreed\n\nLeader: GP review"


def test_merge_drops_nothing_saved_since_the_merge_was_offered(chair, team_leader, item):
    services.case_notes_save(
        item=item, version=0, notes="Chair: one", decisions="", outcome="", by=chair
    )
    services.case_notes_save(
        item=item, version=1, notes="Chair: one\nChair: two", decisions="", outcome="", by=chair
    )
    merged = services.case_notes_merge(
        item=item, notes="Leader: three", decisions="Refer to GP", outcome="", by=team_leader
    )
    assert merged.notes == "Chair: one\nChair: two\n\nLeader: three"
    assert merged.decisions == "Refer to GP"


@pytest.mark.parametrize(
    ("theirs", "yours", "merged"),
    [
        ("Housing first", "", "Housing first"),
        ("", "GP review", "GP review"),
        ("Housing first", "Housing first", "Housing first"),
        ("Housing first", "Housing first. GP review", "Housing first. GP review"),
        ("Housing first. GP review", "Housing first", "Housing first. GP review"),
        (
            "Housing first\nProbation",
            "Housing first\nGP review",
            "Housing first\nProbation\n\nGP review",
        ),
        ("Housing first\nProbation", "Probation\nHousing first", "Housing first\nProbation"),
        ("Probation to call", "Probation to call Lee", "Probation to call Lee"),
        ("Probation call Tue", "Probation call Wed", "Probation call Tue\n\nProbation call Wed"),
        (
            "Housing first.\nProbation",
            "Housing first. GP review",
            "Housing first. GP review\nProbation",
        ),
        (
            "Housing first. GP review\nProbation",
            "Housing first.\nCall Lee",
            "Housing first. GP review\nProbation\n\nCall Lee",
        ),
    ],
)
def test_text_merge_keeps_every_line_of_both(theirs, yours, merged):
    assert services.text_merge(theirs=theirs, yours=yours) == merged


def test_explicit_save_without_javascript(client_for, chair, item):
    response = _notes(client_for(chair), item, 0, "Saved by the button", htmx=False)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.notes == "Saved by the button"


def test_partner_sees_invited_cases_within_the_window_only(
    client_for, partner, item, meeting, team
):
    client = client_for(partner)
    case = reverse("mdt:case", args=[item.pk])
    # Before the agenda is shared, even an invited partner sees no cases.
    assert client.get(case).status_code == 404
    services.agenda_share(meeting=meeting)
    assert client.get(case).status_code == 200
    # Never the person's record or contact notes.
    Contact.objects.create(
        person=item.person,
        author=meeting.chair,
        kind="phone",
        summary="Private contact note",
        duration_minutes=10,
    )
    assert "Private contact note" not in client.get(case).content.decode()
    assert client.get(item.person.get_absolute_url()).status_code == 404
    # Four weeks after the meeting the case is gone.
    MdtMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(days=29))
    assert client.get(case).status_code == 404
    # A week before: visible; eight days before: not yet.
    MdtMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(days=6))
    assert client.get(case).status_code == 200
    MdtMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(days=8))
    assert client.get(case).status_code == 404


def test_partner_cannot_reach_someone_never_on_their_agendas(
    client_for, partner, meeting, team, item
):
    services.agenda_share(meeting=meeting)
    stranger = PersonFactory(team=team)
    EpisodeFactory(person=stranger)
    client = client_for(partner)
    assert client.get(reverse("mdt:referral_new", args=[stranger.pk])).status_code == 404
    assert client.get(stranger.get_absolute_url()).status_code == 404
    other = services.meeting_create(
        meeting=MdtMeeting(
            team=team, starts_at=timezone.now(), place="Room 1", chair=meeting.chair
        ),
        organisations=[],
        members=[],
    )
    services.agenda_share(meeting=other)
    hidden = services.agenda_add(
        meeting=other, person=stranger, mdt_referral=refer(stranger, meeting.chair)
    )
    assert client.get(reverse("mdt:case", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("mdt:meeting", args=[other.pk])).status_code == 404


def test_minutes_pdf_contains_every_action(client_for, chair, partner, item, meeting):
    for n in range(3):
        services.action_add(
            item=item,
            description=f"Action number {n}: ring the housing officer",
            owner=partner,
            owner_organisation=partner.organisation,
            due_on=timezone.localdate() + timedelta(days=n + 1),
            by=chair,
        )
    services.meeting_finish(meeting=meeting)
    response = client_for(chair).get(reverse("mdt:minutes_pdf", args=[meeting.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for n in range(3):
        assert f"Action number {n}: ring the housing officer" in text
    assert "Lee Barnes" in text and "Actions by owner" in text


def test_live_screen_query_count_is_constant(
    client_for, chair, meeting, item, team, navigator, count_queries
):
    client = client_for(chair)
    url = reverse("mdt:live", args=[meeting.pk]) + f"?case={item.pk}"

    def count():
        return count_queries.page(client, url)

    few = count()
    # 1 session, 2 user, 3 the device of the second factor, 4 the meeting with its chair and
    # team, 5 its invitations, 6 the agenda, 7 which invited organisations may be told about
    # each person, 8 the open episode with its latest NDT's fields on the same row, 9 the last
    # contacts, 10 the actions, 11 the owners offered, 12 the organisations, 13 the top bar's
    # unread count, 14 the latest DASH checklist and MARAC referral (one query since both are
    # JSON objects on the person's row, compiled once: they were two), 15 the audit entry.
    # With two NDTs in the episode, two more for the change since the baseline
    # (assessments.selectors.ndt_changes).
    assert few == 15
    for _ in range(8):
        other = PersonFactory(team=team)
        EpisodeFactory(person=other)
        services.agenda_add(meeting=meeting, person=other, mdt_referral=refer(other, navigator))
    for n in range(6):
        services.action_add(
            item=item,
            description=f"Action {n}",
            owner=chair,
            owner_organisation=chair.organisation,
            due_on=timezone.localdate(),
            by=chair,
        )
    assert count() == few


def test_figures_split_by_gender_ethnicity_and_survivors(team, chair, partner, navigator):
    from referrals.models import Referral
    from tests.factories import ReferralFactory

    woman = PersonFactory(team=team, gender="woman", ethnicity="black_caribbean")
    man = PersonFactory(team=team, gender="man", ethnicity="white_british")
    ReferralFactory(team=team, person=woman, domestic_abuse=True, status=Referral.Status.NEW)
    for p in (woman, man):
        EpisodeFactory(person=p)
    start = timezone.localdate()
    meeting = services.meeting_create(
        meeting=MdtMeeting(team=team, starts_at=timezone.now(), place="Room", chair=chair),
        organisations=[partner.organisation],
        members=[],
    )
    a = services.agenda_add(meeting=meeting, person=woman, mdt_referral=refer(woman, navigator))
    b = services.agenda_add(meeting=meeting, person=man, mdt_referral=refer(man, navigator))
    services.case_notes_save(
        item=a, version=0, notes="", decisions="", outcome="resolved", by=chair
    )
    services.case_notes_save(
        item=b, version=0, notes="", decisions="", outcome="continue", by=chair
    )
    services.action_add(
        item=a,
        description="x",
        owner=chair,
        owner_organisation=chair.organisation,
        due_on=start,
        by=chair,
    )
    meeting.invitations.update(attendance="present")
    services.meeting_finish(meeting=meeting)
    figures = selectors.mdt_figures(team, start, start)
    assert figures["meetings_held"] == 1
    assert figures["cases_discussed"]["all"] == 2
    assert figures["cases_discussed"]["gender"] == {"Woman": 1, "Man": 1}
    assert figures["successful_outcomes"]["all"] == 1
    assert figures["successful_outcomes"]["domestic_abuse_survivors"] == 1
    assert figures["successful_outcomes"]["ethnicity"] == {"Ethnic minority": 1}
    assert figures["successful_outcome_rate"] == 0.5
    assert figures["actions_agreed"]["all"] == 1 and figures["actions_overdue"]["all"] == 0
    assert figures["referrals_by_source"]["Navigator escalation"]["all"] == 2
    assert figures["attendance_by_organisation"] == {partner.organisation.name: {"present": 1}}


def test_your_own_autosave_in_flight_is_not_a_conflict(client_for, chair, item):
    client = client_for(chair)
    _notes(client, item, 0, "First draft")
    # The explicit Save still carries version 0: the chair's own autosave got there first.
    response = _notes(client, item, 0, "First draft, finished", htmx=False)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.notes == "First draft, finished" and item.version == 2


@pytest.mark.parametrize("forged", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", ""])
def test_forged_ids_on_the_agenda_form_are_refused_cleanly(client_for, chair, meeting, forged):
    response = client_for(chair).post(
        reverse("mdt:agenda_add", args=[meeting.pk]), {"person": forged}
    )
    assert response.status_code in {302, 404}
    assert not meeting.agenda.exists()


def test_another_teams_person_cannot_be_put_on_the_agenda(client_for, chair, meeting, other_team):
    stranger = PersonFactory(team=other_team)
    response = client_for(chair).post(
        reverse("mdt:agenda_add", args=[meeting.pk]), {"person": stranger.pk}
    )
    assert response.status_code == 404 and not meeting.agenda.exists()


def test_owner_records_progress_then_done_in_one_click_each(
    client_for, partner, chair, item, meeting
):
    services.agenda_share(meeting=meeting)
    action = services.action_add(
        item=item,
        description="Share licence conditions",
        owner=partner,
        owner_organisation=partner.organisation,
        due_on=timezone.localdate(),
        by=chair,
    )
    client = client_for(partner)
    url = reverse("mdt:action_update", args=[action.pk])
    page = client.get(reverse("mdt:my_actions")).content.decode()
    assert "Share licence conditions" in page and "Lee Barnes" in page
    response = client.post(
        url,
        {
            "done": "0",
            "progress_note": "Asked the OM",
            "show_person": "1",
            "version": current_version(action),
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Progress: Asked the OM" in response.content.decode()
    client.post(url, {"done": "1", "version": current_version(action)}, HTTP_HX_REQUEST="true")
    action.refresh_from_db()
    assert action.is_done and action.progress_note == "Asked the OM"
    assert "Share licence conditions" not in client.get(reverse("mdt:my_actions")).content.decode()


def test_staff_owners_see_their_actions_on_my_caseload(
    client_for, navigator, chair, item, count_queries
):
    client = client_for(navigator)
    url = reverse("caseload:my_caseload")
    before = count_queries.page(client, url)
    for description in ("Phone the hostel manager", "Book the GP", "Ask about the licence"):
        services.action_add(
            item=item,
            description=description,
            owner=navigator,
            owner_organisation=navigator.organisation,
            due_on=timezone.localdate(),
            by=chair,
        )
    # The section is one query of the columns it shows, however many actions it lists:
    # nothing it draws (person, case, owner, organisation) is read again per action.
    assert count_queries.page(client, url) == before
    page = client.get(url).content.decode()
    start = page.index("my-mdt-h")
    section = page[start : page.index("</section>", start)]
    assert "Phone the hostel manager" in section and "Book the GP" in section
    assert f'for <a href="{item.get_absolute_url()}">{item.person}</a>' in section
    assert f"{navigator} ({navigator.organisation})" in section


def test_my_caseload_counts_an_action_overdue_from_the_day_after_it_was_due(
    navigator, chair, item, monkeypatch
):
    # My caseload's row query is built once a day per process: the overdue count compares
    # with the day the page is drawn, not the day the query was first built.
    AllocationFactory(
        episode=item.person.episodes.get(), worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR
    )
    today = timezone.localdate()
    services.action_add(
        item=item,
        description="Phone the hostel manager",
        owner=navigator,
        owner_organisation=navigator.organisation,
        due_on=today,
        by=chair,
    )
    row = caseload_selectors.caseload_row(navigator, item.person.pk)
    assert (row.open_mdt_actions, row.overdue_mdt_actions) == (1, 0)
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + timedelta(days=1))
    row = caseload_selectors.caseload_row(navigator, item.person.pk)
    assert (row.open_mdt_actions, row.overdue_mdt_actions) == (1, 1)


def test_partner_sees_only_actions_from_meetings_they_attend(
    client_for, partner, chair, team, item, meeting, navigator
):
    services.agenda_share(meeting=meeting)
    other = services.meeting_create(
        meeting=MdtMeeting(
            team=team, starts_at=timezone.now() - timedelta(days=60), place="x", chair=chair
        ),
        organisations=[],
        members=[],
    )
    earlier = services.agenda_add(meeting=other, person=item.person)  # a review, same person
    services.action_add(
        item=earlier,
        description="Refer to MARAC",
        owner=chair,
        owner_organisation=chair.organisation,
        due_on=timezone.localdate(),
        by=chair,
    )
    services.action_add(
        item=item,
        description="Share licence conditions",
        owner=partner,
        owner_organisation=partner.organisation,
        due_on=timezone.localdate(),
        by=chair,
    )
    page = client_for(partner).get(reverse("mdt:case", args=[item.pk])).content.decode()
    assert "Share licence conditions" in page and "Refer to MARAC" not in page
    # Once the window closes, the partner's own action leaves "My MDT actions" too.
    MdtMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(days=40))
    mine = client_for(partner).get(reverse("mdt:my_actions")).content.decode()
    assert "Share licence conditions" not in mine


@pytest.mark.parametrize("next_url", ["https://evil.example/phish", "foo", "//evil.example"])
def test_action_update_never_redirects_off_site_or_fails(
    client_for, partner, chair, item, meeting, next_url
):
    services.agenda_share(meeting=meeting)
    action = services.action_add(
        item=item,
        description="x",
        owner=partner,
        owner_organisation=partner.organisation,
        due_on=timezone.localdate(),
        by=chair,
    )
    response = client_for(partner).post(
        reverse("mdt:action_update", args=[action.pk]),
        {"done": "1", "next": next_url, "version": current_version(action)},
    )
    assert response.status_code == 302 and response["Location"] == reverse("mdt:my_actions")


def test_a_stale_note_form_does_not_reopen_and_done_keeps_its_day(
    client_for, partner, chair, item, meeting
):
    services.agenda_share(meeting=meeting)
    action = services.action_add(
        item=item,
        description="x",
        owner=partner,
        owner_organisation=partner.organisation,
        due_on=timezone.localdate(),
        by=chair,
    )
    client = client_for(partner)
    url = reverse("mdt:action_update", args=[action.pk])
    client.post(url, {"done": "1", "version": current_version(action)})
    action.refresh_from_db()
    first_done = action.done_at
    # A form that leaves "done" out does not reopen it (a stale one is refused outright).
    client.post(url, {"progress_note": "Written from an old page", "version": action.version_token})
    client.post(url, {"done": "1", "version": current_version(action)})
    action.refresh_from_db()
    assert action.done_at == first_done and action.progress_note == "Written from an old page"
    nul = {"progress_note": "nul\x00byte", "version": action.version_token}
    assert client.post(url, nul).status_code == 302
    action.refresh_from_db()
    assert action.progress_note == "Written from an old page"


def test_a_finished_meeting_keeps_its_record(client_for, chair, item, meeting, partner):
    services.meeting_finish(meeting=meeting)
    with pytest.raises(ValidationError):
        services.case_notes_save(
            item=item, version=0, notes="late", decisions="", outcome="", by=chair
        )
    with pytest.raises(ValidationError):
        services.action_add(
            item=item,
            description="late",
            owner=chair,
            owner_organisation=chair.organisation,
            due_on=timezone.localdate(),
            by=chair,
        )
    response = _notes(client_for(chair), item, 0, "late edit")
    assert response.status_code == 400 and "finished" in response.content.decode()
    item.refresh_from_db()
    assert item.notes == ""


def test_a_withdrawn_or_placed_referral_cannot_be_placed_again(
    meeting, person, navigator, team, chair
):
    referral = refer(person, navigator)
    MdtReferral.objects.filter(pk=referral.pk).update(status=MdtReferral.Status.WITHDRAWN)
    with pytest.raises(ValidationError, match="not waiting"):
        services.agenda_add(meeting=meeting, person=person, mdt_referral=referral)


def test_a_partner_refers_as_their_own_agency(client_for, partner, item, meeting, team):
    services.agenda_share(meeting=meeting)
    other_org = team.organisation
    response = client_for(partner).post(
        reverse("mdt:referral_new", args=[item.person.pk]),
        {
            "source": "navigator",
            "referring_organisation": other_org.pk,
            "why_now": "x",
            "tried": "x",
            "asked_of_partners": "x",
            "urgency": "routine",
            "sharing_basis": "agreed",
            **new_key(),
        },
    )
    assert response.status_code == 302
    referral = MdtReferral.objects.exclude(pk=item.mdt_referral_id).get()
    assert referral.source == "partner" and referral.referring_organisation == partner.organisation


def test_case_summary_reads_the_persons_own_episode_and_last_contacts_afresh(item):
    """The open episode and the last contacts come from queries compiled once per process
    (ADR 0039): each view reads the person's own rows afresh, never another person's."""
    person = item.person
    other = PersonFactory(team=person.team)
    now = timezone.now()
    mine = [
        ContactFactory(person=person, occurred_at=now - timedelta(days=d), summary=f"Mine {d}")
        for d in (4, 1, 3, 2)
    ]
    ContactFactory(person=other, occurred_at=now, summary="Someone else's")
    EpisodeFactory(person=other, status=EpisodeStatus.PAUSED)
    summary = selectors.case_summary(item)
    assert [c.summary for c in summary.contacts] == ["Mine 1", "Mine 2", "Mine 3"]
    assert [c.pk for c in summary.contacts] == [mine[1].pk, mine[3].pk, mine[2].pk]
    assert summary.contacts[0].get_kind_display() == mine[1].get_kind_display()
    open_episode = person.episodes.exclude(status=EpisodeStatus.CLOSED).first()
    if open_episode is None:
        assert summary.episode is None
        open_episode = EpisodeFactory(person=person, status=EpisodeStatus.ACTIVE)
    # Written after the first read: the next summary shows it.
    ContactFactory(person=person, occurred_at=now, summary="Just now")
    open_episode.status = EpisodeStatus.PAUSED
    open_episode.save()
    summary = selectors.case_summary(item)
    assert [c.summary for c in summary.contacts] == ["Just now", "Mine 1", "Mine 2"]
    assert summary.episode.pk == open_episode.pk
    assert summary.episode.get_status_display() == EpisodeStatus.PAUSED.label
    open_episode.status = EpisodeStatus.CLOSED
    open_episode.end_date = timezone.localdate()
    open_episode.exit_destination = ExitDestination.NO_LONGER_NEEDED
    open_episode.ending_planned = True
    open_episode.save()
    assert selectors.case_summary(item).episode is None
