"""Reads for the MDT: agendas, the live case summary, minutes, owners' actions and figures."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessments.models import Assessment
from assessments.selectors import ndt_change
from caseload.models import Contact, Episode, EpisodeStatus, Person, was_read_for
from mdt.models import ACTION_ORDER, Action, AgendaItem, Invitation, MdtMeeting, MdtReferral
from referrals.selectors import domestic_abuse_survivors
from sharing.models import SharingAgreement
from sharing.selectors import mdt_sharing_in_force_for, partners_told_rows
from smd.characteristics import Ethnicity, Gender, is_ethnic_minority
from smd.prepared import PreparedQuery, ScopedQuery, as_prefetched


def meetings_for(user):
    meetings = MdtMeeting.objects.visible_to(user).select_related("chair")
    if user.is_mdt_partner:
        # A partner counts only the cases they may see: the others are not theirs to know of.
        visible = (
            AgendaItem.objects.visible_to(user)
            .filter(meeting=OuterRef("pk"))
            .order_by()
            .values("meeting")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return meetings.annotate(cases=Coalesce(Subquery(visible, output_field=IntegerField()), 0))
    return meetings.annotate(cases=Count("agenda", distinct=True))


def _meeting(user, pk):
    """The meeting `pk` if the user may see it, with its chair and team: at most one."""
    return MdtMeeting.objects.visible_to(user).select_related("chair", "team").filter(pk=pk)[:1]


# Compiled once per process, day and kind of user, run with the user's and the meeting's ids
# (ADR 0043): building and compiling it cost more than the database takes to run it.
_meeting_query = ScopedQuery(MdtMeeting, _meeting)


def meeting_detail(user, pk):
    """The meeting, if the user may see it, with its chair, team and invitations (each with
    its organisation and member) as `meeting.invitations.all()`."""
    found = _meeting_query.rows(user, pk)
    meeting = found[0] if found else None
    if meeting is not None:
        as_prefetched(meeting, "invitations", _invitations_query.objects(meeting.pk))
    return meeting


def _invitations(pk):
    """The meeting `pk`'s invitations, in their order, with their organisations and members."""
    return Invitation.objects.filter(meeting=pk).select_related("organisation", "member")


# One meeting's rows, nothing of the user or the date: compiled once per process (ADR 0039), run
# only for a meeting the user's scoped query returned.
_invitations_query = PreparedQuery(Invitation, _invitations)


def agenda_for(user, meeting):
    """The meeting's cases the user may read, in agenda order."""
    return (
        AgendaItem.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("person", "mdt_referral__referring_organisation", "saved_by")
        .annotate(sharing_in_force=mdt_sharing_in_force_for())
        .order_by("position")
    )


# The live screen's agenda, for those who run the meeting (team staff, whose scope does not
# depend on the moment): compiled once per process, day and kind of user, run with the user's and
# the meeting's ids (ADR 0043).
_agenda_query = ScopedQuery(AgendaItem, lambda user, meeting: agenda_for(user, meeting))


def agenda_to_run(user, meeting):
    """`agenda_for(user, meeting)` as a list, for a user who runs the meeting (`can_run`)."""
    if not meeting.can_run(user):
        # A partner's scope depends on the moment (ADR 0043: never compiled for it).
        return list(agenda_for(user, meeting))
    return _agenda_query.rows(user, meeting.pk)


def _partners_told_at(on):
    """Which invited organisation may be told about which person on a meeting's agenda on the
    day `on` (`sharing.selectors.partners_told_rows`, the rule partners' reads go through), for
    the meeting's id: its team, invitations and agenda as subqueries. Compiled once a day per
    process (ADR 0039: the day is built in, the meeting is the parameter)."""

    def build(meeting):
        return partners_told_rows(
            team=Subquery(MdtMeeting.objects.filter(pk=meeting).values("team")[:1]),
            organisations=Invitation.objects.filter(meeting=meeting).values("organisation"),
            people=AgendaItem.objects.filter(meeting=meeting).values("person"),
            on=on,
        )

    return PreparedQuery(SharingAgreement, build)


_partners_told_queries = {}


def _partners_told(meeting):
    """The (person id, organisation id) pairs told at the meeting, today."""
    today = timezone.localdate()
    query = _partners_told_queries.get(today)
    if query is None:
        _partners_told_queries.clear()  # yesterday's, never run again
        query = _partners_told_queries[today] = _partners_told_at(today)
    return {(row["person_id"], row["organisation_id"]) for row in query.rows(meeting.pk)}


def mark_sharing_gaps(meeting, items):
    """For the people running a meeting: on each agenda item, `not_shared_with`, the invited
    organisations that may not be told about the person (`sharing.selectors.partners_told_rows`:
    the rule partners' reads go through). Uses the meeting's prefetched invitations; one query,
    compiled once a day, whatever the agenda's length. It reads the pairs for everyone on the
    meeting's agenda, which is the runners' scope, and looks up only `items`'."""
    items = list(items)
    invited = {i.organisation_id: i.organisation for i in meeting.invitations.all()}
    if not items or not invited:
        for item in items:
            item.not_shared_with = []
        return items
    told = _partners_told(meeting)
    for item in items:
        item.not_shared_with = sorted(
            (org for pk, org in invited.items() if (item.person_id, pk) not in told),
            key=lambda org: org.name,
        )
    return items


def agenda_candidates(meeting):
    """New cases (MDT referrals waiting, agreed or not) and reviews (people with open actions)
    not already on this meeting's agenda."""
    on_agenda = meeting.agenda.values("person")
    pending = (
        MdtReferral.objects.filter(person__team=meeting.team_id, status=MdtReferral.Status.PENDING)
        .exclude(person__in=on_agenda)
        .select_related("person", "referring_organisation")
        .annotate(sharing_in_force=mdt_sharing_in_force_for())
        .order_by("-urgency", "created_at")
    )
    reviews = (
        Person.objects.filter(team=meeting.team_id)
        .filter(Exists(Action.objects.open().filter(person=OuterRef("pk"))))
        .exclude(pk__in=on_agenda)
        .exclude(pk__in=pending.values("person"))
        .annotate(open_actions=Count("mdt_actions", filter=Q(mdt_actions__done_at__isnull=True)))
        .annotate(sharing_in_force=mdt_sharing_in_force_for("pk"))
    )
    return list(pending), list(reviews)


@dataclass(frozen=True)
class LatestNdt:
    """What the case summary shows of the person's latest completed NDT."""

    id: object
    episode_id: object
    standard_total: int
    assessed_on: object


@dataclass
class CaseSummary:
    item: AgendaItem
    episode: object
    latest_ndt: LatestNdt | None
    contacts: list
    earlier_actions: list
    actions_here: list = field(default_factory=list)
    change: object = None  # assessments.selectors.EpisodeChange, worked out like every other

    @property
    def ndt_change(self):
        """Standard (0-48) change since baseline in the latest NDT's episode; None when there is
        no pair, or its versions cannot be compared."""
        return self.change.standard.change if self.change else None


LATEST_NDT_FIELDS = ("pk", "episode_id", "standard_total", "assessed_on")


def _open_episode_and_latest_ndt(pk):
    """The person `pk`'s open episode (at most one) and the latest completed NDT in it: the
    NDT's fields as subqueries on the episode's row (`ndt_<field>`)."""
    completed = Assessment.objects.completed().order_by("-assessed_on", "-created_at", "-pk")
    latest = completed.filter(episode=OuterRef("pk"))
    own = [f for f in LATEST_NDT_FIELDS if f != "episode_id"]  # the episode's own id
    return (
        Episode.objects.filter(person=pk)
        .exclude(status=EpisodeStatus.CLOSED)
        .annotate(**{f"ndt_{f}": Subquery(latest.values(f)[:1]) for f in own})[:1]
    )


def _last_contacts(pk):
    """The person `pk`'s last three contacts."""
    return Contact.objects.filter(person=pk).order_by("-occurred_at")[:3]


# Both read one person's rows and nothing of the user or the date: compiled once per process
# and run with the person's id (ADR 0039), only for a person the user's scoped agenda returned.
_open_episode_query = PreparedQuery(Episode, _open_episode_and_latest_ndt)
_last_contacts_query = PreparedQuery(Contact, _last_contacts)


def _episode_and_latest_ndt(person):
    """The person's open episode and the latest completed NDT in it, on one row. With no open
    episode, the latest NDT of any episode, read apart."""
    found = _open_episode_query.objects(person.pk)
    if found:
        episode = found[0]
        latest = [
            episode.pk if f == "episode_id" else getattr(episode, f"ndt_{f}")
            for f in LATEST_NDT_FIELDS
        ]
    else:
        episode = None
        completed = Assessment.objects.completed().order_by("-assessed_on", "-created_at", "-pk")
        latest = completed.filter(person=person).values_list(*LATEST_NDT_FIELDS).first()
    return episode, (LatestNdt(*latest) if latest and latest[0] is not None else None)


def _person_actions(pk):
    """Every MDT action of the person `pk`, in the order they are listed, with its owner and
    organisation."""
    return (
        Action.objects.filter(person=pk)
        .select_related("owner", "owner_organisation")
        .order_by(*ACTION_ORDER)
    )


# One person's rows, nothing of the user or the date: compiled once per process (ADR 0039), run
# only for the person of a case the user's scoped agenda returned, by those who run the meeting.
_person_actions_query = PreparedQuery(Action, _person_actions)


def case_summary(item, *, with_contacts=True, user=None):
    """What the chair sees for one case: who, episode status, the latest NDT and its change
    since the baseline, the last contacts, and open actions from earlier meetings with their
    owners. A fixed number of queries whatever the person's history: the episode with its
    latest NDT, the contacts, the actions, and the NDT change's two."""
    person = item.person
    episode, latest = _episode_and_latest_ndt(person)
    contacts = _last_contacts_query.objects(person.pk) if with_contacts else []
    if user is None:
        actions = _person_actions_query.objects(person.pk)
    else:
        # A partner reads only the actions of cases they may see, never those of other meetings.
        actions = list(
            Action.objects.visible_to(user)
            .filter(person=person)
            .select_related("owner", "owner_organisation", "agenda_item__meeting")
            .order_by(*ACTION_ORDER)
        )
    # The change in the episode of the latest NDT, from the one selector every page uses.
    change = ndt_change(latest.episode_id) if latest else None
    return CaseSummary(
        item=item,
        episode=episode,
        latest_ndt=latest,
        change=change,
        contacts=contacts,
        earlier_actions=[a for a in actions if a.agenda_item_id != item.pk and not a.is_done],
        actions_here=[a for a in actions if a.agenda_item_id == item.pk],
    )


def minutes(user, meeting):
    """The meeting's cases the reader may see, each with its actions, and those actions again
    grouped by owner."""
    items = list(
        agenda_for(user, meeting).prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner", "owner_organisation"),
            )
        )
    )
    by_owner = defaultdict(list)
    for item in items:
        for action in item.actions.all():
            by_owner[action.owner].append((item, action))
    owners = sorted(by_owner.items(), key=lambda pair: pair[0].get_full_name())
    return items, owners


def actions_owned_by(user):
    """The user's open MDT actions on cases they may still read, soonest due first: a partner's
    disappear with their access to the meeting's cases."""
    return (
        Action.objects.visible_to(user)
        .open()
        .filter(owner=user)
        .select_related("person", "owner", "owner_organisation", "agenda_item__meeting")
        .order_by(*ACTION_ORDER)
    )


def person_annotations(user):
    """The person page's count of MDT referrals waiting, on the person's own query (registered
    with caseload.selectors by MdtConfig.ready()); only team staff see the MDT card."""
    if not user.in_team:
        return {}
    waiting = MdtReferral.objects.filter(
        person=OuterRef("pk"), status=MdtReferral.Status.PENDING
    ).values("person")
    return {
        "mdt_referrals_waiting": Coalesce(
            Subquery(waiting.annotate(n=Count("pk")).values("n")[:1]), Value(0)
        )
    }


def _open_by_due_date(actions):
    return actions.open().select_related("owner", "owner_organisation").order_by(*ACTION_ORDER)


# The person page's MDT card, for a person read for the user: compiled once (ADR 0039).
_open_of_person = PreparedQuery(
    Action, lambda pk: _open_by_due_date(Action.objects.filter(person_id=pk))
)


def person_open_actions(person, user):
    """The person's open MDT actions with their owners, soonest due first, for the person
    page's MDT card (team staff, who see every action on the person). One query: compiled once
    per process when the person was read for this user."""
    if was_read_for(person, user):
        return _open_of_person.objects(person.pk)
    return list(_open_by_due_date(Action.objects.filter(person=person)))


def referrals_waiting(person):
    """How many of the person's MDT referrals are waiting: from the person page's query when it
    carried the count, else one query."""
    if hasattr(person, "mdt_referrals_waiting"):
        return person.mdt_referrals_waiting
    return MdtReferral.objects.filter(person=person, status=MdtReferral.Status.PENDING).count()


def caseload_columns():
    """My caseload's open and overdue MDT actions for each person: subqueries (registered with
    caseload.selectors by MdtConfig.ready())."""
    actions = Action.objects.open().filter(person=OuterRef("pk")).values("person")
    overdue = actions.filter(due_on__lt=timezone.localdate())
    return {
        "open_mdt_actions": Coalesce(
            Subquery(actions.annotate(n=Count("pk")).values("n")[:1]), Value(0)
        ),
        "overdue_mdt_actions": Coalesce(
            Subquery(overdue.annotate(n=Count("pk")).values("n")[:1]), Value(0)
        ),
    }


# --- figures for the quarterly return --------------------------------------------------------


def _splits(person_ids, people):
    """Counts for all, by gender, by ethnicity (White British / ethnic minority / not recorded)
    and for domestic-abuse survivors, from a list of person ids (repeats count)."""
    genders = dict(Gender.choices)
    out = {
        "all": len(person_ids),
        "gender": defaultdict(int),
        "ethnicity": defaultdict(int),
        "domestic_abuse_survivors": 0,
    }
    ethnicity_labels = {True: "Ethnic minority", False: Ethnicity.WHITE_BRITISH.label}
    for pid in person_ids:
        person = people[pid]
        out["gender"][genders[person["gender"]]] += 1
        minority = is_ethnic_minority(person["ethnicity"])
        label = ethnicity_labels.get(minority, "Not recorded")
        out["ethnicity"][label] += 1
        out["domestic_abuse_survivors"] += person["survivor"]
    out["gender"] = dict(out["gender"])
    out["ethnicity"] = dict(out["ethnicity"])
    return out


def mdt_figure_people(team, start, end):
    """What the quarterly return reads of the MDT, for meetings and referrals from `start` to
    `end` (dates, inclusive): meetings held, attendance by organisation, and the people behind
    each count (a person once for each case, action or referral), which the return splits by
    its own equity groups. Four queries. Actions agreed are those created at meetings in the
    period; completed and overdue are as at `end`."""
    tz = timezone.get_current_timezone()
    lo = timezone.datetime.combine(start, timezone.datetime.min.time(), tzinfo=tz)
    hi = timezone.datetime.combine(end, timezone.datetime.max.time(), tzinfo=tz)
    meetings = MdtMeeting.objects.filter(team=team, starts_at__range=(lo, hi))
    held = meetings.filter(status=MdtMeeting.Status.HELD)
    items = list(AgendaItem.objects.filter(meeting__in=held).values_list("person_id", "outcome"))
    referrals = list(
        MdtReferral.objects.filter(person__team=team, created_at__range=(lo, hi)).values_list(
            "person_id", "source"
        )
    )
    actions = list(
        Action.objects.filter(agenda_item__meeting__in=held).values_list(
            "person_id", "done_at", "due_on"
        )
    )
    # Meetings per organisation and state: two named members of one agency present at one
    # meeting are one meeting attended.
    meetings_by = defaultdict(lambda: defaultdict(set))
    for org, state, meeting_id in Invitation.objects.filter(meeting__in=held).values_list(
        "organisation__name", "attendance", "meeting_id"
    ):
        meetings_by[org][state or "not_recorded"].add(meeting_id)
    attendance = {
        org: {state: len(ids) for state, ids in states.items()}
        for org, states in meetings_by.items()
    }
    # Invited against attended: a meeting counts as attended when any of the organisation's
    # invitees was present, and as apologies only when apologies came and nobody did.
    attendance_summary = {}
    for org, states in sorted(meetings_by.items()):
        attended = states.get("present", set())
        attendance_summary[org] = {
            "invited": len(set().union(*states.values())),
            "attended": len(attended),
            "apologies": len(states.get("apologies", set()) - attended),
        }
    sources = dict(MdtReferral.Source.choices)
    by_source = defaultdict(list)
    for person_id, source in referrals:
        by_source[sources[source]].append(person_id)
    return {
        "meetings_held": held.count(),
        "cases": len(items),
        "attendance_by_organisation": {k: dict(v) for k, v in sorted(attendance.items())},
        "attendance_summary": attendance_summary,
        "person_ids": {
            "cases_discussed": [person_id for person_id, _ in items],
            "actions_agreed": [person_id for person_id, _, _ in actions],
            "actions_completed": [
                person_id for person_id, done_at, _ in actions if done_at and done_at <= hi
            ],
            "actions_overdue": [
                person_id
                for person_id, done_at, due_on in actions
                if due_on < end and (done_at is None or done_at > hi)
            ],
            "successful_outcomes": [
                person_id for person_id, outcome in items if outcome == AgendaItem.Outcome.RESOLVED
            ],
            "referrals_by_source": dict(sorted(by_source.items())),
        },
    }


def mdt_figures(team, start, end):
    """MDT figures for meetings and referrals from `start` to `end` (dates, inclusive), each
    split by gender, ethnicity and domestic-abuse survivors (people whose referral into the team
    recorded domestic abuse): `mdt_figure_people`, with the splits. Six queries."""
    found = mdt_figure_people(team, start, end)
    person_ids = found["person_ids"]
    ids = {
        person_id for key in ("cases_discussed", "actions_agreed") for person_id in person_ids[key]
    } | {person_id for listed in person_ids["referrals_by_source"].values() for person_id in listed}
    survivors = domestic_abuse_survivors(ids)
    people = {
        p["id"]: {**p, "survivor": p["id"] in survivors}
        for p in Person.objects.filter(pk__in=ids).values("id", "gender", "ethnicity")
    }
    cases = person_ids["cases_discussed"]
    return {
        "meetings_held": found["meetings_held"],
        "referrals_by_source": {
            k: _splits(v, people) for k, v in person_ids["referrals_by_source"].items()
        },
        "cases_discussed": _splits(cases, people),
        "people_discussed": _splits(sorted(set(cases)), people),
        "attendance_by_organisation": found["attendance_by_organisation"],
        "attendance_summary": found["attendance_summary"],
        "actions_agreed": _splits(person_ids["actions_agreed"], people),
        "actions_completed": _splits(person_ids["actions_completed"], people),
        "actions_overdue": _splits(person_ids["actions_overdue"], people),
        "successful_outcomes": _splits(person_ids["successful_outcomes"], people),
        "successful_outcome_rate": (
            len(person_ids["successful_outcomes"]) / found["cases"] if found["cases"] else None
        ),
        # The people behind each count, for the quarterly return's splits and drill-down.
        "person_ids": person_ids,
    }
