"""List and detail pages issue the same number of queries however many rows they show.

Each test counts a page's queries with few rows, adds more of what the page lists, and counts
again. A signed-in page always costs the session, the user and the device that gave the second
factor; a page about a person also writes one audit entry.
"""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentCorrection, AssessmentScheme, ReqolRecord
from assessments.reqol.services import definition_import, reqol_record
from assessments.services import assessment_correct, assessment_save
from bench.pages import quick_contact_data
from caseload.models import Allocation, Contact, Person, PersonAlias
from domestic_abuse import services as domestic_abuse
from mdt import services as mdt
from mdt.models import MdtMeeting, MdtReferral, SharingBasis
from returns.extract.selectors import extract_rows
from returns.models import EvaluationExtract, QuarterlyReturn
from smd.models import Role
from smd.quarters import Quarter
from tests.assessments.test_reqol import definition_data
from tests.domestic_abuse.conftest import answers, dash_data
from tests.factories import (
    AllocationFactory,
    ContactFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    dsa_for_mdt,
    share_for_mdt,
)

Q3 = Quarter(2025, 3)  # 1 October to 31 December 2025


# --- quarterly returns ------------------------------------------------------------------------


def test_returns_index_costs_the_same_as_versions_grow(client_for, team, count_queries):
    manager = UserFactory(role=Role.MANAGER, team=team)
    client = client_for(manager)
    url = reverse("returns:index")

    def add(n):
        start = QuarterlyReturn.objects.filter(team=team).count()
        for version in range(start + 1, start + n + 1):
            done = version % 2 == 0  # every other one built and signed off
            QuarterlyReturn.objects.create(
                team=team,
                quarter=Q3.label,
                version=version,
                requested_by=manager,
                status=QuarterlyReturn.Status.DONE if done else QuarterlyReturn.Status.PENDING,
                signed_off_by=manager if done else None,
                signed_off_at=timezone.now() if done else None,
            )

    add(1)
    few = count_queries.page(client, url)
    add(7)
    # session, user, device; the team's versions with who asked for and signed off each
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(client, url) == few == 5
    assert client.get(url).content.decode().count('<tr id="return-') == 8


def test_the_evaluation_extract_page_costs_the_same_as_extracts_grow(
    client_for, team, count_queries
):
    manager = UserFactory(role=Role.MANAGER, team=team)
    client = client_for(manager)
    url = reverse("returns:extract")

    def add(n):
        for i in range(n):
            EvaluationExtract.objects.create(
                team=team,
                quarter=Q3.label,
                requested_by=UserFactory(role=Role.MANAGER, team=team),
                status="done" if i % 2 else "pending",
                rows=3,
                format_version=1,
            )

    add(1)
    few = count_queries.page(client, url)
    add(7)
    # session, user, device; the unread notifications count; the team's extracts with who
    # asked for each
    assert count_queries.page(client, url) == few == 5
    assert client.get(url).content.decode().count('<tr id="extract-') == 8
    status = reverse("returns:extract_status", args=[EvaluationExtract.objects.first().pk])
    # session, user, device; the extract
    assert count_queries.page(client, status) == 4


def test_the_evaluation_extract_costs_the_same_queries_as_people_grow(
    team, shipped_schemes, count_queries
):
    """The build reads every person supported in the quarter in a fixed number of queries."""
    navigator = UserFactory(role=Role.NAVIGATOR, team=team)
    definition = definition_import(data=definition_data())
    standard = AssessmentScheme.objects.get(code="ndt-standard", version=1)
    dash = domestic_abuse.definition_import(data=dash_data())

    def add(n):
        for _ in range(n):
            person = PersonFactory(team=team)
            episode = EpisodeFactory(person=person, start_date=date(2025, 10, 1))
            domestic_abuse.checklist_record(
                person=person,
                definition=dash,
                completed_on=date(2025, 10, 4),
                answers=answers(14),
                by=navigator,
            )
            domestic_abuse.marac_refer(
                person=person,
                referred_on=date(2025, 10, 5),
                marac="City MARAC",
                criteria=["visible_high_risk"],
                sharing_basis="consent",
                by=navigator,
            )
            assessment_save(
                person=person,
                episode=episode,
                scheme=standard,
                assessed_on=date(2025, 10, 2),
                assessor=navigator,
                participation="yes",
                scores={item.key: 1 for item in standard.items.all()},
                notes={},
                complete=True,
                by=navigator,
            )
            reqol_record(
                person=person,
                episode=episode,
                definition=definition,
                completed_on=date(2025, 10, 3),
                completion="themself",
                responses={f"item_{n}": 2 for n in range(1, 11)},
                by=navigator,
            )

    def built():
        with count_queries.during() as counted:
            rows = extract_rows(team, Q3)
        return len(rows), len(counted)

    add(1)
    one, few = built()
    add(5)
    many, more = built()
    # the episodes; the people; NDT assessments; the amended NDT's domestic-abuse items;
    # ReQoL-10; events; accommodation at the start and at the end; accommodation changes;
    # survivors; the DASH risk level in force at the end; the MARAC referrals in the quarter
    assert (one, many) == (1, 6)
    assert more == few == 12


def test_the_people_behind_a_figure_cost_the_same_as_people_grow(
    client_for, team, shipped_schemes, count_queries
):
    manager = UserFactory(role=Role.MANAGER, team=team)
    client = client_for(manager)
    url = reverse("returns:people")
    query = {"quarter": Q3.label, "figure": "active_at_end", "split": "all"}

    def add(n):
        for _ in range(n):
            EpisodeFactory(
                person=PersonFactory(team=team),
                start_date=date(2025, 10, 1),
                accepted_on=date(2025, 10, 1),
            )

    add(1)
    few = count_queries.page(client, url, query)
    add(7)
    # session, user, device; the team; 43 that work out the quarter's figures (a fixed set,
    # whatever the team's size; the NDT change takes one here, with no NDTs, and at most four;
    # the events against the first quarter one here, where nobody began before the quarter,
    # and two with someone to compare; appointments not attended one; the domestic-abuse
    # section and its data-quality lines four; the episodes active at quarter end read once
    # for every section, and the allocations in the quarter once for the caseload's and
    # capacity's seven figures); the people behind the figure; one audit entry for the read;
    # the top bar's count of unread notifications
    assert count_queries.page(client, url, query) == few == 50
    page = client.get(url, query).content.decode()
    assert all(p.get_absolute_url() in page for p in Person.objects.filter(team=team))


# --- ReQoL-10 and NDT assessments -------------------------------------------------------------


def test_reqol_history_costs_the_same_as_records_grow(client_for, team, navigator, count_queries):
    definition = definition_import(data=definition_data())
    person = PersonFactory(team=team)
    episode = EpisodeFactory(person=person, start_date=date(2025, 1, 6))
    AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    client = client_for(navigator)
    url = reverse("reqol:history", args=[person.pk])

    def add(months):
        for month in months:
            reqol_record(
                person=person,
                episode=episode,
                definition=definition,
                completed_on=date(2025, month, 1),
                completion="themself",
                responses={item.key: 2 for item in definition.items.all()},
                by=navigator,
            )

    add([2])
    few = count_queries.page(client, url)
    add(range(3, 10))
    assert ReqolRecord.objects.filter(person=person).count() == 8
    # session, user, device; the person, their episodes; the records, their answers and the
    # items they were scored under; the current definition and its items; the audit entry
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(client, url) == few == 12


def test_assessment_detail_costs_the_same_as_corrections_grow(
    client_for, team, navigator, shipped_schemes, count_queries
):
    scheme = AssessmentScheme.objects.get(code="ndt-amended", version=1)
    person = PersonFactory(team=team)
    episode = EpisodeFactory(person=person, start_date=date(2025, 1, 6))
    keys = [item.key for item in scheme.items.all()]
    assessment = assessment_save(
        person=person,
        episode=episode,
        scheme=scheme,
        assessed_on=date(2025, 2, 1),
        assessor=navigator,
        participation="yes",
        scores=dict.fromkeys(keys, 1),
        notes={},
        complete=True,
        by=navigator,
    )
    client = client_for(navigator)
    url = reverse("assessments:detail", args=[person.pk, assessment.pk])

    def correct(times):
        nonlocal assessment
        for n in times:
            assessment = assessment_correct(
                assessment=assessment,
                assessed_on=date(2025, 2, 1),
                assessor=navigator,
                participation="yes",
                scores=dict.fromkeys(keys, n % 4),
                notes={},
                reason=f"Scored in error ({n})",
                by=navigator,
            )

    correct([1])
    few = count_queries.page(client, url)
    correct(range(2, 9))
    assert AssessmentCorrection.objects.filter(assessment=assessment).count() == 8
    # session, user, device; the person, their episodes; the assessment with its scheme,
    # assessor and episode; its scores; the scheme's items and the comparable scheme's items;
    # the corrections with who made them; the audit entry
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(client, url) == few == 12


# --- MDT minutes ------------------------------------------------------------------------------


def _refer(person, by, probation):
    share_for_mdt(person, probation, by=by)
    referral = MdtReferral(
        person=person,
        source=MdtReferral.Source.NAVIGATOR,
        referring_organisation=by.organisation,
        referred_by=by,
        why_now="Evicted twice this year",
        tried="Two hostel placements",
        asked_of_partners="Probation to align appointments",
        sharing_basis=SharingBasis.AGREED,
    )
    referral.full_clean()
    referral.save()
    return referral


def test_mdt_minutes_cost_the_same_as_cases_and_actions_grow(
    client_for, make_user, team, navigator, count_queries
):
    chair = make_user(Role.MDT_CHAIR)
    probation = OrganisationFactory(name="Northgate Probation", sector="probation")
    dsa_for_mdt(team.organisation, probation, by=UserFactory(role=Role.MANAGER, team=team))
    partner = UserFactory(role=Role.MDT_MEMBER, team=None, organisation=probation)
    meeting = mdt.meeting_create(
        meeting=MdtMeeting(
            team=team, starts_at=timezone.now() + timedelta(days=2), place="Room 4", chair=chair
        ),
        organisations=[probation],
        members=[partner],
    )
    client = client_for(chair)
    url = reverse("mdt:minutes", args=[meeting.pk])

    def add(n):
        for i in range(n):
            person = PersonFactory(team=team)
            EpisodeFactory(person=person)
            item = mdt.agenda_add(
                meeting=meeting, person=person, mdt_referral=_refer(person, navigator, probation)
            )
            for owner in (chair, navigator):
                mdt.action_add(
                    item=item,
                    description=f"Action {i}",
                    owner=owner,
                    owner_organisation=owner.organisation,
                    due_on=timezone.localdate() + timedelta(days=i),
                    by=chair,
                )

    add(1)
    few = count_queries.page(client, url)
    add(7)
    # session, user, device; the meeting; its invitations; the agenda; the actions with their
    # owners and owners' organisations; the audit entry for the cases read
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(client, url) == few == 9
    assert client.get(url).content.decode().count("Action 6") == 4  # two cases, two owners


# --- person edit ------------------------------------------------------------------------------


def test_person_edit_costs_the_same_as_the_record_grows(client_for, team, navigator, count_queries):
    person = PersonFactory(team=team)
    client = client_for(navigator)
    url = reverse("caseload:person_edit", args=[person.pk])

    def add(n):
        for i in range(n):
            PersonAlias.objects.create(person=person, name=f"Alias {i} {n}")
            episode = EpisodeFactory(
                person=person, closed=True, start_date=date(2020 + i % 5, 1, 1)
            )
            AllocationFactory(episode=episode, worker=navigator)

    add(1)
    few = count_queries.page(client, url)
    add(7)
    # session, user, device; the person; their other names; the audit entry
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(client, url) == few == 7
    assert "Alias 6 7" in client.get(url).content.decode()


def test_a_refused_person_edit_costs_the_same_as_the_record_grows(
    client_for, team, navigator, count_queries
):
    """The "someone else saved this" page (ADR 0023): the comparison reads the stored record
    and its other names once, however many there are."""
    from tests.hostile import as_post

    person = PersonFactory(team=team)
    client = client_for(navigator)
    url = reverse("caseload:person_edit", args=[person.pk])

    def refused_post(n):
        for i in range(n):
            PersonAlias.objects.create(person=person, name=f"Alias {i} {n}")
        stale = as_post(client.get(url).context["form"], known_as=f"Jo {n}")
        Person.objects.get(pk=person.pk).save()  # someone else saves meanwhile
        with count_queries.during() as counted:
            response = client.post(url, stale)
        assert "Someone else saved this record" in response.content.decode()
        return len(counted)

    few = refused_post(1)
    # session, user, device; the person; the form's constraint check in a savepoint (3); the
    # refused save: savepoint, the claim's UPDATE, the stored person, rollback, release (5);
    # the stored person's other names; the audit entry
    # and one more: the top bar's count of unread notifications
    assert refused_post(7) == few == 15


# --- logging a contact from My caseload ------------------------------------------------------


def test_a_contact_logged_from_my_caseload_costs_the_same_as_the_caseload_grows(
    client_for, team, navigator, count_queries
):
    """The caseload's quick form: the contact is saved and only its person's row is read back,
    however many people the caseload holds and however much each has on record."""
    client = client_for(navigator)

    def allocate(n):
        people = [PersonFactory(team=team) for _ in range(n)]
        for someone in people:
            episode = EpisodeFactory(person=someone)
            AllocationFactory(
                episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR
            )
            ContactFactory(person=someone, episode=episode, author=navigator)
        return people

    person = allocate(1)[0]
    url = reverse("caseload:contact_new", args=[person.pk])

    def log(summary):
        # The request bench/pages.py times as "Log a contact (POST)".
        with count_queries.during() as counted:
            response = client.post(url, quick_contact_data(summary), HTTP_HX_REQUEST="true")
        page = response.content.decode()
        assert response.status_code == 200 and f'id="row-{person.pk.hex}"' in page
        assert "Contact logged." in page
        return len(counted)

    few = log("First call.")
    allocate(7)
    # session, user, device; the person; the service's transaction (a savepoint here, inside
    # the test's own), the savepoint the insert runs in, the open episode, the insert, and both
    # savepoints released (6): the one-time key is looked up only if the insert is refused
    # (smd.submission.create_once's insert_first); the person's caseload row (one query, that
    # person only); the audit entry. No query checks Contact's check constraints: the form's
    # own rules hold each of them. The row's NDT change asks nothing: the person has no
    # completed NDT, and a change needs two (one query more when it does, as below).
    # Still 12 since the person, the row and the NDT change are compiled once per kind of user
    # (ADR 0043): the same queries, only built and compiled less often.
    assert log("Second call.") == few == 12
    assert Contact.objects.filter(summary__in=["First call.", "Second call."]).count() == 2


def test_a_contact_logged_for_someone_with_an_ndt_change_costs_one_query_more(
    client_for, team, navigator, amended, assess, count_queries
):
    """The row the quick form answers with shows the NDT change once the open episode has two
    completed NDTs: the first and latest, each with its scheme version's scale, in one query."""
    from datetime import date

    client = client_for(navigator)
    person = PersonFactory(team=team)
    episode = EpisodeFactory(person=person, start_date=date(2025, 1, 6))
    AllocationFactory(episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR)
    url = reverse("caseload:contact_new", args=[person.pk])

    def log(summary):
        with count_queries.during() as counted:
            response = client.post(url, quick_contact_data(summary), HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "Contact logged." in response.content.decode()
        return len(counted), response.content.decode()

    assess(episode, amended, on=date(2025, 2, 1), rest=2)
    one, page = log("After the baseline.")  # one completed NDT: no change to show, no query
    assert one == 12 and "ndt-change" not in page
    assess(episode, amended, on=date(2025, 5, 1), rest=1)
    # The first and latest NDTs of the row's open episode with their scheme versions' weights:
    # compiled once per process (ADR 0043), one query (ADR 0048; 14 when the weights were
    # a query of their own).
    two, page = log("After the review.")
    assert two == 13 and 'class="ndt-change"' in page


# --- the user's own password ------------------------------------------------------------------


def test_the_password_pages_cost_only_the_signed_in_session(client_for, navigator, count_queries):
    client = client_for(navigator)
    # session, user, device: nothing else is read to show either form
    # and one more: the top bar's count of unread notifications
    assert count_queries.page(client, reverse("password_change")) == 4
    assert count_queries.page(client, reverse("password_confirm"), {"next": "/"}) == 4
