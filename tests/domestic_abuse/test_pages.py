"""The domestic-abuse pages in use: a checklist with no wording loaded says so; a high-risk
checklist prompts a MARAC referral; a repeat within 12 months is said; the MARAC's actions reach
their owner's My caseload; the meeting's record refuses a stale save; and the person page and
timeline show the risk and the MARAC status, each page at a pinned number of queries."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.models import EventKind, ServiceEvent
from domestic_abuse.models import DashChecklist, MaracAction, MaracReferral
from domestic_abuse.services import UNAVAILABLE, checklist_record, marac_action_add, marac_refer
from tests.domestic_abuse.conftest import answers, form_data
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory, new_key


def _today():
    return timezone.localdate().isoformat()


def test_without_the_wording_the_checklist_says_so_and_records_nothing(navigator_client, survivor):
    url = reverse("domestic_abuse:checklist_new", args=[survivor.pk])
    page = navigator_client.get(url)
    assert page.status_code == 200 and escape(UNAVAILABLE) in page.content.decode()
    assert 'name="q_q01"' not in page.content.decode()
    refused = navigator_client.post(url, {**form_data(14, completed_on=_today()), **new_key()})
    assert refused.status_code == 409
    assert not DashChecklist.objects.exists()
    overview = navigator_client.get(reverse("domestic_abuse:overview", args=[survivor.pk]))
    assert escape(UNAVAILABLE) in overview.content.decode()


def test_the_checklist_shows_the_acknowledgement_and_a_high_risk_prompts_a_marac_referral(
    navigator_client, survivor, dash, navigator
):
    url = reverse("domestic_abuse:checklist_new", args=[survivor.pk])
    page = navigator_client.get(url).content.decode()
    assert escape(dash.acknowledgement) in page and "FICTIONAL placeholder question 24" in page
    response = navigator_client.post(url, {**form_data(14, completed_on=_today()), **new_key()})
    assert response.status_code == 302
    assert response["Location"] == reverse("domestic_abuse:marac_new", args=[survivor.pk])
    checklist = DashChecklist.objects.get()
    assert (checklist.yes_count, checklist.risk_level, checklist.assessor) == (
        14,
        "high",
        navigator,
    )
    referral_page = navigator_client.get(response["Location"]).content.decode()
    assert "high risk" in referral_page
    assert 'value="visible_high_risk" id="id_criteria_0" class="form-check-input" checked' in (
        referral_page
    )
    person_page = navigator_client.get(survivor.get_absolute_url()).content.decode()
    assert "High risk: refer to the MARAC." in person_page
    assert (
        escape(dash.acknowledgement)
        in navigator_client.get(
            reverse("domestic_abuse:overview", args=[survivor.pk])
        ).content.decode()
    )


def test_a_refused_checklist_keeps_the_answers(navigator_client, survivor, dash):
    url = reverse("domestic_abuse:checklist_new", args=[survivor.pk])
    data = {**form_data(3, completed_on=_today(), judgement="high"), **new_key()}
    data["note_q02"] = "Said quietly"
    response = navigator_client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why, in your professional judgement" in page
    assert 'value="Said quietly"' in page
    assert not DashChecklist.objects.exists()


def _refer(client, person, **extra):
    return client.post(
        reverse("domestic_abuse:marac_new", args=[person.pk]),
        {
            "referred_on": _today(),
            "marac": "City MARAC",
            "criteria": ["professional_judgement"],
            "sharing_basis": "consent",
            **new_key(),
            **extra,
        },
    )


def test_a_referral_without_consent_needs_the_lawful_basis_and_a_repeat_is_said(
    navigator_client, survivor
):
    refused = _refer(navigator_client, survivor, sharing_basis="without_consent")
    assert refused.status_code == 400
    assert "Give the lawful basis" in refused.content.decode()
    assert not MaracReferral.objects.exists()
    first = _refer(
        navigator_client,
        survivor,
        sharing_basis="without_consent",
        lawful_basis="Risk of serious harm: shared to protect life.",
    )
    assert first.status_code == 302
    assert not MaracReferral.objects.get().is_repeat
    page = navigator_client.get(reverse("domestic_abuse:marac_new", args=[survivor.pk]))
    assert "repeat referral" in page.content.decode()
    second = _refer(navigator_client, survivor)
    assert second.status_code == 302
    repeat = MaracReferral.objects.order_by("created_at").last()
    assert repeat.is_repeat and repeat.criteria == ["professional_judgement", "repeat"]
    shown = navigator_client.get(second["Location"]).content.decode()
    assert "This is a repeat referral within 12 months." in shown
    assert "repeat within 12 months" in shown


def test_a_referral_more_than_12_months_after_the_last_is_not_a_repeat(survivor, navigator):
    today = timezone.localdate()
    kwargs = {"marac": "City MARAC", "criteria": ["escalation"], "sharing_basis": "consent"}
    marac_refer(person=survivor, referred_on=today - timedelta(days=366), by=navigator, **kwargs)
    assert not marac_refer(person=survivor, referred_on=today, by=navigator, **kwargs).is_repeat
    assert marac_refer(person=survivor, referred_on=today, by=navigator, **kwargs).is_repeat


def test_marac_actions_reach_the_owners_caseload_and_are_marked_done(
    navigator_client, survivor, navigator, team_leader
):
    _refer(navigator_client, survivor)
    referral = MaracReferral.objects.get()
    url = reverse("domestic_abuse:marac_action_new", args=[survivor.pk, referral.pk])
    data = {
        "description": "Ask the police for a marker on the address",
        "owner": str(navigator.pk),
        "due_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        **new_key(),
    }
    assert navigator_client.post(url, data).status_code == 302
    assert navigator_client.post(url, data).status_code == 302  # sent twice: one action
    action = MaracAction.objects.get()
    caseload = navigator_client.get(reverse("caseload:my_caseload")).content.decode()
    assert "My MARAC actions" in caseload
    assert "Ask the police for a marker on the address" in caseload
    assert "Open MARAC actions: 1" in caseload and "Overdue" in caseload
    done = navigator_client.post(
        reverse("domestic_abuse:marac_action_update", args=[survivor.pk, action.pk]),
        {"done": "1", "version": action.version_token, "next": reverse("caseload:my_caseload")},
    )
    assert done.status_code == 302 and done["Location"] == reverse("caseload:my_caseload")
    action.refresh_from_db()
    assert action.is_done
    assert "My MARAC actions" not in navigator_client.get(done["Location"]).content.decode()


def test_only_the_owner_or_a_team_leader_updates_an_action(
    client_for, survivor, navigator, team_leader, make_user
):
    referral = marac_refer(
        person=survivor,
        referred_on=timezone.localdate(),
        marac="City MARAC",
        criteria=["escalation"],
        sharing_basis="consent",
        by=navigator,
    )
    action = marac_action_add(
        referral=referral,
        description="Safety plan",
        owner=navigator,
        due_on=timezone.localdate(),
        by=navigator,
    )
    other = make_user()  # a navigator of the team: sees the person, does not own the action
    url = reverse("domestic_abuse:marac_action_update", args=[survivor.pk, action.pk])
    assert (
        client_for(other).post(url, {"done": "1", "version": action.version_token}).status_code
        == 403
    )
    assert (
        client_for(team_leader)
        .post(url, {"done": "1", "version": action.version_token})
        .status_code
        == 302
    )
    action.refresh_from_db()
    assert action.is_done


def test_a_stale_save_of_the_meeting_record_is_refused_and_keeps_the_typing(
    client_for, survivor, navigator, team_leader
):
    referral = marac_refer(
        person=survivor,
        referred_on=timezone.localdate(),
        marac="City MARAC",
        criteria=["escalation"],
        sharing_basis="consent",
        by=navigator,
    )
    url = reverse("domestic_abuse:marac_edit", args=[survivor.pk, referral.pk])
    opened = referral.version_token
    assert (
        client_for(team_leader)
        .post(
            url, {"heard_on": _today(), "outcome_note": "Heard; police marker.", "version": opened}
        )
        .status_code
        == 302
    )
    stale = client_for(navigator).post(
        url, {"heard_on": _today(), "outcome_note": "My own notes", "version": opened}
    )
    assert stale.status_code == 400
    page = stale.content.decode()
    assert "Someone else saved this record" in page and "My own notes" in page
    referral.refresh_from_db()
    assert referral.outcome_note == "Heard; police marker."


def test_the_person_page_and_timeline_show_the_risk_and_the_marac_status(
    navigator_client, survivor, dash, navigator, count_queries
):
    navigator_client.post(
        reverse("domestic_abuse:checklist_new", args=[survivor.pk]),
        {**form_data(16, completed_on=_today()), **new_key()},
    )
    _refer(navigator_client, survivor, criteria=["visible_high_risk"])
    page = navigator_client.get(survivor.get_absolute_url()).content.decode()
    assert "Domestic abuse" in page and ">High</strong>" in page
    assert "referred to City MARAC" in page and "waiting to be heard" in page
    assert (
        "DASH checklist</strong> · 16 yes" in page
        and "MARAC referral</strong> to City MARAC" in page
    )
    only_da = navigator_client.get(survivor.get_absolute_url(), {"kind": "domestic_abuse"})
    assert "DASH checklist</strong>" in only_da.content.decode()


def test_a_new_incident_makes_the_checklist_due_at_once(
    navigator_client, survivor, dash, navigator
):
    navigator_client.post(
        reverse("domestic_abuse:checklist_new", args=[survivor.pk]),
        {
            **form_data(2, completed_on=(timezone.localdate() - timedelta(days=3)).isoformat()),
            **new_key(),
        },
    )
    page = navigator_client.get(survivor.get_absolute_url()).content.decode()
    assert "Checklist due again:" in page and "(review)" in page
    ServiceEvent.objects.create(
        person=survivor,
        kind=EventKind.DOMESTIC_ABUSE_INCIDENT,
        occurred_on=timezone.localdate() - timedelta(days=1),
        source="self_reported",
        recorded_by=navigator,
    )
    page = navigator_client.get(survivor.get_absolute_url()).content.decode()
    assert "new incident on" in page


# --- queries -------------------------------------------------------------------------------------


def _grow(person, dash, by, n):
    for _ in range(n):
        checklist = checklist_record(
            person=person,
            definition=dash,
            completed_on=timezone.localdate(),
            answers=answers(15),
            by=by,
        )
        referral = marac_refer(
            person=person,
            referred_on=timezone.localdate(),
            marac="City MARAC",
            criteria=["visible_high_risk"],
            sharing_basis="consent",
            checklist=checklist,
            by=by,
        )
        marac_action_add(
            referral=referral,
            description="Door alarm",
            owner=by,
            due_on=timezone.localdate(),
            by=by,
        )


def test_the_da_pages_cost_the_same_as_checklists_referrals_and_actions_grow(
    navigator_client, survivor, dash, navigator, count_queries
):
    pages = [
        reverse("domestic_abuse:overview", args=[survivor.pk]),
        survivor.get_absolute_url(),
        reverse("caseload:my_caseload"),
        reverse("domestic_abuse:marac_new", args=[survivor.pk]),
    ]
    _grow(survivor, dash, navigator, 1)
    few = [count_queries.page(navigator_client, url) for url in pages]
    _grow(survivor, dash, navigator, 4)
    second = PersonFactory(team=survivor.team)
    AllocationFactory(
        episode=EpisodeFactory(person=second), worker=navigator, kind="lead_navigator"
    )
    _grow(second, dash, navigator, 2)
    assert [count_queries.page(navigator_client, url) for url in pages] == few
    # The overview: session, user, device, the person, checklists with answers and questions
    # (3), referrals with actions and owners (3), the wording with its questions (2), the
    # summary (3), the audit entry, and the top bar's count of unread notifications.
    assert few[0] == 18


def test_the_acknowledgement_is_shown_wherever_the_checklist_is(
    navigator_client, survivor, dash, navigator
):
    checklist_record(
        person=survivor,
        definition=dash,
        completed_on=timezone.localdate(),
        answers=answers(2),
        by=navigator,
    )
    acknowledgement = escape(dash.acknowledgement)
    person_page = navigator_client.get(survivor.get_absolute_url()).content.decode()
    # The person page's card and the checklist's timeline entry.
    assert person_page.count(acknowledgement) == 2
    overview = navigator_client.get(reverse("domestic_abuse:overview", args=[survivor.pk]))
    assert acknowledgement in overview.content.decode()


def test_the_person_pages_card_reads_what_a_query_of_its_own_would(survivor, dash, navigator):
    """The card's checklist and referral come with the person page's own query; read back,
    they are the records a query of their own gives, down to the open actions and the prompt."""
    from caseload.models import Person
    from caseload.selectors import person_detail
    from domestic_abuse.selectors import person_summary

    def summary(person):
        s = person_summary(person, navigator)
        latest, referral = s["latest"], s["referral"]
        return (
            (latest.pk, latest.completed_on, latest.risk_level, latest.yes_count)
            + (latest.high_because, latest.get_high_because_display())
            + (latest.definition.acknowledgement, referral.pk, referral.referred_on)
            + (referral.marac, referral.is_repeat, referral.status_label, referral.open_actions)
            + (s["due"], s["incident_on"], s["prompt_marac"])
        )

    _grow(survivor, dash, navigator, 2)
    latest_referral = MaracReferral.objects.filter(person=survivor).latest("created_at")
    marac_action_add(
        referral=latest_referral,
        description="Safety plan",
        owner=navigator,
        due_on=timezone.localdate(),
        by=navigator,
    )
    ServiceEvent.objects.create(
        person=survivor,
        kind=EventKind.DOMESTIC_ABUSE_INCIDENT,
        occurred_on=timezone.localdate() - timedelta(days=1),
        source="self_reported",
        recorded_by=navigator,
    )
    on_page = summary(person_detail(navigator, survivor.pk))
    assert on_page == summary(Person.objects.get(pk=survivor.pk))
    assert on_page[7] == latest_referral.pk and on_page[11] == "waiting to be heard"
    assert on_page[12] == 2 and on_page[4]  # two open actions; a reason for the high risk
