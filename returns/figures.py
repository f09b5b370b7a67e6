"""Every figure in the quarterly return, each defined once, in its docstring-like definition.

A figure is computed from the people behind it (so every equity split comes from the same ids,
and so the HTML view can list those people), or is a plain number where the people behind it
are not listed (capacity, meetings, agreements). Each figure says whether it counts people, so
the PDF suppresses small counts in one place. The same functions feed the PDF, the CSV and the
HTML view.
"""

import functools
import gc
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractMonth, RowNumber
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from assessments.models import Assessment, ReqolRecord
from assessments.selectors import ndt_changes, review_status_from
from caseload.models import (
    EVENT_UNITS,
    AccommodationChange,
    AccommodationStatus,
    Allocation,
    BudgetSpend,
    Contact,
    Episode,
    EpisodeStatus,
    EventKind,
    ExitDestination,
    Person,
    PersonalBudget,
)
from caseload.outcomes.selectors import (
    accommodation_on,
    events_against_first_quarter,
    outcomes_star_count,
)
from caseload.selectors import team_capacity_at, waiting_at
from domestic_abuse import selectors as domestic_abuse
from mdt.selectors import mdt_figure_people
from referrals.models import EligibilityDecision, Referral
from referrals.selectors import domestic_abuse_survivors
from sharing.models import DataSharingAgreement, Purpose, SharingAgreement
from smd.characteristics import (
    AGE_BANDS,
    Gender,
    age_band,
    age_on,
    is_disabled,
    is_ethnic_minority,
)
from smd.models import Role, Sector, Specialism

SECTIONS = [
    "Caseload and capacity",
    "Team capacity",
    "Referrals",
    "Outcomes",
    "MDT",
    "Domestic abuse",
    "Information sharing",
    "Equity",
    "Data quality",
]
# The equity splits every split figure carries, in column order. A person is in a split only
# when the characteristic is recorded: "not known" and "prefer not to say" are in none.
SPLITS = [
    "all",
    "women",
    "ethnic_minority",
    "survivor",
    "disabled",
    *[f"age_{key}" for key, *_ in AGE_BANDS],
]
SPLIT_LABELS = {
    "all": "All",
    "women": "Women",
    "ethnic_minority": "Ethnic minority",
    "survivor": "Domestic-abuse survivors",
    "disabled": "Disabled",
    **{f"age_{key}": label for key, label, *_ in AGE_BANDS},
}
SPLIT_DEFINITIONS = {
    "all": "Everyone the figure covers, including referrals not yet linked to a person.",
    "women": "People whose recorded gender is woman.",
    "ethnic_minority": "People from ethnic minority communities: every recorded ethnic group "
    "other than White British, White minorities included.",
    "survivor": "People whose referral into the team recorded domestic abuse (as a victim or "
    "survivor), as the MDT figures define them.",
    "disabled": "People who say they have a long-term condition that limits their day-to-day "
    "activities.",
    **{
        f"age_{key}": f"People aged {youngest}"
        + (f" to {oldest}" if oldest else " or over")
        + " on the last day of the quarter (from the date of birth, or the approximate age "
        "recorded)."
        for key, _label, youngest, oldest in AGE_BANDS
    },
}


# The characteristics the return asks whether each person has recorded, in the order of the
# values it keeps for each person.
RECORDED = ("gender", "ethnicity", "sexual_orientation", "religion", "disability")


def _without_cyclic_gc(method):
    """Run the method with Python's cyclic garbage collector paused, then put it back as it was.

    A build at 100× makes hundreds of thousands of rows, dicts and UUIDs that stay alive until
    it ends and hold no reference cycles. Each allocation burst set the collector off, and each
    of its full passes walked every one of them again: over half of the build's CPU at 100×,
    for no garbage found. Reference counting still frees everything as usual; only cycles wait
    for the collector's next run, once the build is over. Nested calls (a section inside
    `build`) leave the collector to the outermost."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return method(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper


class PeopleBySplit(Mapping):
    """The people behind a count or total, split by split, as sorted text ids. Only the live
    page's drill-down lists them, one split of one figure at a time; the return itself needs
    the numbers alone, so a split's list is worked out when it is first asked for, from each
    person's splits as the return's bits (`Return._masks`)."""

    def __init__(self, ids, masks, bits):
        self._ids, self._masks, self._bits, self._lists = ids, masks, bits, {}

    def __getitem__(self, split):
        if split not in SPLITS:
            raise KeyError(split)
        if split not in self._lists:
            self._lists[split] = self._listed(split)
        return self._lists[split]

    def _listed(self, split):
        if split == "all":  # everyone, referrals not yet linked to a person included
            return sorted({str(i) for i in self._ids})
        bit, get = self._bits[split], self._masks.get
        return sorted({str(i) for i in self._ids if get(_key(i), 0) & bit})

    def __iter__(self):
        return iter(SPLITS)

    def __len__(self):
        return len(SPLITS)


@dataclass
class Figure:
    section: str
    key: str
    label: str
    definition: str
    kind: str = "count"  # count | mean | share | total | number
    values: dict = field(default_factory=dict)  # split -> number or None
    # split -> sorted person ids (counts and totals), worked out when the drill-down asks
    people: Mapping = field(default_factory=dict)
    bases: dict = field(default_factory=dict)  # split -> how many people a mean or share is over
    # The value counts people (or events each about one person), so 1 to 4 could point to
    # someone: the PDF prints it as "<5". Declared by every figure, read only by the renderer.
    counts_people: bool = False
    money: bool = False  # pounds and pence


class Return:
    """The figures for one team and quarter, with the people map the splits need."""

    @_without_cyclic_gc
    def __init__(self, team, quarter):
        self.team, self.quarter = team, quarter
        tz = timezone.get_current_timezone()
        self.start, self.end = quarter.start, quarter.end
        self.lo = datetime.combine(self.start, time.min, tzinfo=tz)
        self.hi = datetime.combine(self.end, time.max, tzinfo=tz)
        self.figures = []
        team_people = Person.objects.filter(team=team)
        # Each person's splits as one number, a bit for each: a figure looks each id up once
        # and sorts its people by these numbers, not each id into each split's set in turn.
        # Looked up by the UUID's integer: a UUID's own hash is Python code, run for every
        # lookup, and the big figures are about 17,000 people each at 100×.
        self._bits = bits = {split: 1 << n for n, split in enumerate(SPLITS[1:])}
        survivors = {pid.int for pid in domestic_abuse_survivors(team_people)}
        # Each person's RECORDED characteristics, and their splits' bits.
        self._people, self._masks = {}, {}
        # One pass over the team's people as tuples; each characteristic's split is asked of
        # its few distinct values once, not of every person.
        minority, disabled, band_of = {}, {}, {}
        for (
            pid,
            gender,
            ethnicity,
            disability,
            sexual_orientation,
            religion,
            date_of_birth,
            approximate_age,
            approximate_age_recorded_on,
        ) in team_people.values_list(
            "id",
            "gender",
            "ethnicity",
            "disability",
            "sexual_orientation",
            "religion",
            "date_of_birth",
            "approximate_age",
            "approximate_age_recorded_on",
        ):
            self._people[pid] = (gender, ethnicity, sexual_orientation, religion, disability)
            if ethnicity not in minority:
                minority[ethnicity] = is_ethnic_minority(ethnicity) is True
            if disability not in disabled:
                disabled[disability] = is_disabled(disability) is True
            age = age_on(
                date_of_birth=date_of_birth,
                approximate_age=approximate_age,
                approximate_age_recorded_on=approximate_age_recorded_on,
                on=self.end,
            )
            if age not in band_of:
                band = age_band(age)
                band_of[age] = bits[f"age_{band}"] if band else 0
            mask = (
                (bits["women"] if gender == Gender.WOMAN else 0)
                | (bits["ethnic_minority"] if minority[ethnicity] else 0)
                | (bits["survivor"] if pid.int in survivors else 0)
                | (bits["disabled"] if disabled[disability] else 0)
                | band_of[age]
            )
            if mask:
                self._masks[pid.int] = mask

    # --- how a figure is split ------------------------------------------------------------

    def _masks_of(self, ids):
        """Each id's mask, in order; 0: in no split but "all" (or a referral's id). The lookup
        is written out here, not called per id: the big figures ask it of 17,000 ids each."""
        get = self._masks.get
        return [get(k, 0) for k in _keys(ids)]

    def _chosen(self, split, tagged):
        """The values of (mask, value) pairs whose mask is in the split, in their order."""
        if split == "all":
            return [value for _, value in tagged]  # includes referrals not yet linked
        bit = self._bits[split]
        return [value for mask, value in tagged if mask & bit]

    def _unique(self, key):
        """Keys made from free text ("St Mungo's", "St Mungo s") could meet: number the later."""
        taken = {f.key for f in self.figures}
        if key not in taken:
            return key
        n = 2
        while f"{key}_{n}" in taken:
            n += 1
        return f"{key}_{n}"

    def _tally(self, ids):
        """How many of `ids` are in each split, an id counted as often as it appears."""
        times = list(Counter(self._masks_of(ids)).items())
        return {split: sum(self._chosen(split, times)) for split in SPLITS}

    def count(self, section, key, label, definition, ids):
        """A count of people (or of events, when an id repeats)."""
        ids = list(ids)
        figure = Figure(section, self._unique(key), label, definition, "count", counts_people=True)
        figure.values = self._tally(ids)
        figure.people = PeopleBySplit(ids, self._masks, self._bits)
        self.figures.append(figure)
        return figure

    def mean(self, section, key, label, definition, values_by_person):
        """A mean over (person id, value) pairs, or a {person id: value} dict: a person with two
        episodes or two decisions counts each of them."""
        figure = Figure(section, self._unique(key), label, definition, "mean")
        if isinstance(values_by_person, dict):
            masks = self._masks_of(values_by_person)
            tagged = list(zip(masks, values_by_person.values(), strict=True))
            people = list(Counter(masks).items())  # each person once already
        else:
            pairs = list(values_by_person)
            tagged = list(
                zip(self._masks_of(pid for pid, _ in pairs), (v for _, v in pairs), strict=True)
            )
            distinct = {_key(pid) for pid, _ in pairs}
            people = list(Counter(self._masks.get(k, 0) for k in distinct).items())
        if all(type(v) is int for _, v in tagged):
            # Whole numbers add up the same in any order: summed by mask first, a few hundred
            # masks to sort into splits rather than every value once per split.
            sums, counts = defaultdict(int), Counter()
            for mask, v in tagged:
                sums[mask] += v
                counts[mask] += 1
            tagged = [(mask, (sums[mask], counts[mask])) for mask in sums]
        else:
            tagged = [(mask, (v, 1)) for mask, v in tagged]  # summed in their order
        for split in SPLITS:
            chosen = self._chosen(split, tagged)
            figure.bases[split] = sum(self._chosen(split, people))
            n = sum(c for _, c in chosen)
            figure.values[split] = round(sum(v for v, _ in chosen) / n, 1) if n else None
        self.figures.append(figure)
        return figure

    def total(self, section, key, label, definition, amount_by_person, *, money=False):
        """A sum of a quantity over people (events, nights, or pounds when `money`), split like
        a count. Events and nights are about people (a handful of A&E visits can point to one
        person); money is not counted as people."""
        figure = Figure(
            section,
            self._unique(key),
            label,
            definition,
            "total",
            counts_people=not money,
            money=money,
        )
        kept = [(pid, n) for pid, n in amount_by_person.items() if n]
        tagged = list(
            zip(self._masks_of(pid for pid, _ in kept), (n for _, n in kept), strict=True)
        )
        for split in SPLITS:
            total = sum(self._chosen(split, tagged))
            figure.values[split] = float(round(total, 2)) if money else round(total, 2)
        figure.people = PeopleBySplit([pid for pid, _ in kept], self._masks, self._bits)
        self.figures.append(figure)
        return figure

    def share(self, section, key, label, definition, numerator, denominator):
        """Per cent of the denominator's people who are in the numerator."""
        figure = Figure(section, self._unique(key), label, definition, "share")
        numerator = set(_keys(numerator))
        get = self._masks.get
        tagged = [(get(k, 0), k in numerator) for k in set(_keys(denominator))]
        # Counted by mask first: a few hundred masks to sort into splits, not every person
        # once per split. The counts are whole numbers, the same in any order.
        grouped = [(mask, (n, n * hit)) for (mask, hit), n in Counter(tagged).items()]
        for split in SPLITS:
            chosen = self._chosen(split, grouped)
            base, hits = sum(n for n, _ in chosen), sum(h for _, h in chosen)
            figure.bases[split] = base
            figure.values[split] = round(100 * hits / base, 1) if base else None
        self.figures.append(figure)
        return figure

    def number(self, section, key, label, definition, value, *, people):
        """A number not split by person. `people` says whether it counts people, so the PDF
        suppresses it when small: every plain number must say."""
        figure = Figure(
            section,
            self._unique(key),
            label,
            definition,
            "number",
            {"all": value},
            counts_people=people,
        )
        self.figures.append(figure)
        return figure

    # --- the sections ---------------------------------------------------------------------

    @_without_cyclic_gc
    def build(self):
        self.caseload_and_capacity()
        self.team_capacity()
        self.referrals()
        self.outcomes()
        self.mdt()
        self.domestic_abuse()
        self.information_sharing()
        self.equity()
        self.data_quality()
        return self

    def _active_at_end(self):
        """An episode active at quarter end: begun by then, and not ended by then."""
        return Q(start_date__lte=self.end) & (Q(end_date__isnull=True) | Q(end_date__gt=self.end))

    def _episodes_active_at_end(self):
        return Episode.objects.filter(self._active_at_end(), person__team=self.team)

    def _active_person_ids(self):
        """The people active at quarter end, as a subquery."""
        return self._episodes_active_at_end().values("person_id")

    @functools.cached_property
    def _active_episodes(self):
        """The episodes active at quarter end as rows (id, person_id, start_date, end_date,
        accepted_on), read once: four sections count or walk them, and at 100× each reading
        was 17,000 rows."""
        return list(
            self._episodes_active_at_end().values(
                "id", "person_id", "start_date", "end_date", "accepted_on"
            )
        )

    @_without_cyclic_gc
    def caseload_and_capacity(self):
        s = "Caseload and capacity"
        active = self._active_episodes
        self.count(
            s,
            "active_at_end",
            "People active at quarter end",
            "People whose episode of support began on or before the last day of the "
            "quarter and had not ended by then.",
            [e["person_id"] for e in active],
        )
        starts = Episode.objects.filter(
            person__team=self.team, start_date__range=(self.start, self.end)
        ).values_list("person_id", flat=True)
        self.count(
            s,
            "new_starts",
            "New starts",
            "Episodes of support whose first contact with the person (start date) fell "
            "in the quarter.",
            starts,
        )
        ended = list(
            Episode.objects.filter(
                person__team=self.team,
                status=EpisodeStatus.CLOSED,
                end_date__range=(self.start, self.end),
            ).values("person_id", "exit_destination", "start_date", "end_date")
        )
        self.count(
            s,
            "endings",
            "Endings",
            "Episodes closed in the quarter.",
            [e["person_id"] for e in ended],
        )
        for value, label in ExitDestination.choices:
            self.count(
                s,
                f"endings_{value}",
                f"Endings: {label.lower()}",
                f"Episodes closed in the quarter with the exit destination “{label}”.",
                [e["person_id"] for e in ended if e["exit_destination"] == value],
            )
        # One value per episode: someone whose support ended and began again counts twice.
        # An active episode counts to the quarter's last day, even with an end date after it.
        days = [
            *((e["person_id"], (self.end - e["start_date"]).days) for e in active),
            *(
                (e["person_id"], (e["end_date"] - e["start_date"]).days)
                for e in ended
                if e["start_date"]
            ),
        ]
        self.mean(
            s,
            "average_days",
            "Average days on service",
            "For people active at quarter end or ended in the quarter: days from the "
            "episode's start to its end, or to the last day of the quarter.",
            days,
        )

        lead, peer = Allocation.Kind.LEAD_NAVIGATOR, Allocation.Kind.PEER_MENTOR
        allocations = self._allocations
        self.number(
            s,
            "navigator_caseload",
            "Navigator caseload at quarter end",
            "Lead-navigator allocations held at the end of the last day of the quarter.",
            sum(1 for _, kind, held, *_ in allocations if held and kind == lead),
            people=True,
        )
        self.number(
            s,
            "peer_mentor_cases",
            "Peer-mentor cases at quarter end",
            "Peer-mentor allocations held at the end of the last day of the quarter.",
            sum(1 for _, kind, held, *_ in allocations if held and kind == peer),
            people=True,
        )
        self.count(
            s,
            "supported_by_navigator",
            "People supported by a navigator",
            "People with a lead-navigator allocation held at any time in the quarter.",
            {pid for pid, kind, *_ in allocations if kind == lead},
        )
        self.count(
            s,
            "supported_by_specialist",
            "People supported by a specialist navigator",
            "People with an allocation in the quarter to a navigator recorded with a "
            "specialism (women, ethnic minority communities, lived experience, social "
            "worker).",
            {
                pid
                for pid, _, _, role, specialism in allocations
                if role == Role.NAVIGATOR and specialism != Specialism.NONE
            },
        )
        self.count(
            s,
            "supported_by_peer_mentor",
            "People supported by a peer mentor",
            "People with a peer-mentor allocation held at any time in the quarter.",
            {pid for pid, kind, *_ in allocations if kind == peer},
        )

    @functools.cached_property
    def _allocations(self):
        """The team's allocations held at any time in the quarter, as (person id, kind, held at
        the end of its last day, the worker's role, the worker's specialism), read once: the
        caseload's and capacity's seven figures were seven statements over the same join."""
        held = ExpressionWrapper(
            Q(ended_at__isnull=True) | Q(ended_at__gt=self.hi), output_field=BooleanField()
        )
        return list(
            Allocation.objects.filter(episode__person__team=self.team, started_at__lte=self.hi)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=self.lo))
            .annotate(held=held)
            .order_by()
            .values_list("episode__person_id", "kind", "held", "worker__role", "worker__specialism")
        )

    @_without_cyclic_gc
    def team_capacity(self):
        """Capacity as the delivery plan counts it, as it stood at the end of the quarter's last
        day: staff profiles from their versions (ADR 0019), so a later change of FTE, hours or
        role leaves a rebuilt return as it was."""
        s = "Team capacity"
        capacity = team_capacity_at(self.team, self.hi)
        navigators, peers = capacity.navigators, capacity.peer_mentors
        per_fte = settings.NAVIGATOR_CASELOAD_PER_FTE
        hours_each = settings.PEER_MENTOR_HOURS_PER_PERSON
        rounding = "rounded to the nearest whole place, a half up"
        self.number(
            s,
            "navigator_fte",
            "Navigator FTE at quarter end",
            "Full-time equivalent of the navigators active in the team at the end of the "
            "quarter, added up, from their staff records as they stood then.",
            float(navigators.fte),
            people=False,
        )
        self.number(
            s,
            "navigator_places",
            "Navigator places",
            f"Navigator FTE at quarter end × {per_fte} people per full-time navigator, {rounding}.",
            navigators.capacity,
            people=False,
        )
        self.number(
            s,
            "peer_mentor_hours",
            "Peer-mentor planned hours a week",
            "Planned weekly hours of the peer mentors active in the team at the end of the "
            "quarter, added up, from their staff records as they stood then.",
            float(peers.hours),
            people=False,
        )
        self.number(
            s,
            "peer_mentor_places",
            "Peer-mentor places",
            f"Peer-mentor planned hours a week ÷ {hours_each} hours per person, divided once "
            f"for the team (not per peer mentor), {rounding}: 146 hours make 49 places.",
            peers.capacity,
            people=False,
        )
        self.number(
            s,
            "places",
            "Places, navigators and peer mentors together",
            "Navigator places + peer-mentor places: the team's capacity as the delivery plan "
            "counts it.",
            capacity.places,
            people=False,
        )
        places = {Allocation.Kind.LEAD_NAVIGATOR, Allocation.Kind.PEER_MENTOR}
        filled = self.count(
            s,
            "places_filled",
            "Places filled at quarter end",
            "Lead-navigator and peer-mentor allocations held at the end of the last day of the "
            "quarter: someone with both fills a navigator place and a peer-mentor place.",
            [pid for pid, kind, held, *_ in self._allocations if held and kind in places],
        )
        # A per cent of places over one to four places filled would give the suppressed count
        # back: printed in the PDF as a share over them is (n<5).
        full = self.number(
            s,
            "places_full",
            "How full the team is, %",
            "Places filled at quarter end ÷ places × 100, to the nearest whole per cent (over "
            "100 when the team holds more people than its places).",
            capacity.percent_full,
            people=False,
        )
        full.bases = {"all": filled.values["all"]}
        waiting = list(waiting_at(self.team.pk, self.hi).values_list("person_id", "accepted_on"))
        self.count(
            s,
            "waiting_allocation",
            "Waiting for allocation at quarter end",
            "People whose referral had been accepted by the last day of the quarter, whose "
            "support had not ended, and who had no lead navigator at the end of that day.",
            [pid for pid, _ in waiting],
        )
        waits = [(pid, (self.end - accepted).days) for pid, accepted in waiting]
        self.mean(
            s,
            "waiting_mean_days",
            "Mean wait for allocation (days)",
            "For the people waiting for allocation at quarter end: days from their referral's "
            "acceptance to the last day of the quarter, averaged.",
            waits,
        )
        longest = self.number(
            s,
            "waiting_longest_days",
            "Longest wait for allocation (days)",
            "For the people waiting for allocation at quarter end: the most days any of them "
            "had waited since acceptance, to the last day of the quarter.",
            max((days for _, days in waits), default=None),
            people=False,
        )
        # The longest of one to four people's waits is one of their own: the PDF prints it as
        # it does a mean over them (n<5).
        longest.bases = {"all": len(waits)}
        days = capacity.days_on_service
        self.number(
            s,
            "closed_episodes",
            "Closed episodes behind the average days on service",
            "The team's episodes of support that began and were closed by the last day of the "
            f"quarter. The projection uses their average once there are {days.needed}.",
            days.closed,
            people=True,
        )
        self.number(
            s,
            "projection_days_on_service",
            "Average days on service used for the projection",
            "The mean days from start to end of the team's closed episodes, once there are "
            f"{days.needed}; until then the programme's figure of "
            f"{settings.CAPACITY_AVERAGE_DAYS_ON_SERVICE} days. "
            + (
                f"This quarter: the team's own {days.closed} closed episodes."
                if days.own
                else f"This quarter: the programme's figure ({days.closed} closed so far)."
            ),
            float(days.days),
            people=False,
        )
        self.number(
            s,
            "projected_people_a_year",
            "Projected people supported a year",
            "Places × 365 ÷ average days on service used for the projection, to the nearest "
            "whole person: 81 places at 455 days support 65 people a year.",
            capacity.projected,
            people=False,
        )
        self.number(
            s,
            "plan_target_people",
            f"Delivery plan target for {capacity.year_label} (people)",
            "The people supported in the financial year that the delivery plan sets, as a "
            "manager entered it (“–” when not entered).",
            capacity.target,
            people=False,
        )

    @_without_cyclic_gc
    def referrals(self):
        s = "Referrals"
        # The month in local time, as the database gives it (the current time zone, as
        # `timezone.localtime` would): no datetime made for each referral.
        received = list(
            Referral.objects.filter(team=self.team, created_at__range=(self.lo, self.hi))
            .annotate(month=ExtractMonth("created_at"))
            .values_list(
                "id",
                "person_id",
                "is_self_referral",
                "referrer_organisation__name",
                "referrer_organisation_name",
                "referrer_organisation__sector",
                "month",
            )
        )
        # A referral without a linked person is counted in "all" only (no characteristics yet).
        rid = [person_id or pk for pk, person_id, *_ in received]
        self.count(
            s,
            "referrals_received",
            "Referrals received",
            "Referrals created in the quarter, from the public form or by staff. "
            "Referrals not yet linked to a person count in the all-people column only.",
            rid,
        )
        months = [r[-1] for r in received]
        for month in _months(self.start):
            name = f"{month:%B %Y}"
            self.count(
                s,
                f"referrals_month_{month:%Y_%m}",
                f"Referrals received in {name}",
                f"Referrals created in {name} (local time), counted as referrals received.",
                [who for who, m in zip(rid, months, strict=True) if m == month.month],
            )
        by_source, by_sector = defaultdict(list), defaultdict(list)
        sectors = dict(Sector.choices)
        for who, (_, _, is_self, org_name, org_name_typed, org_sector, _) in zip(
            rid, received, strict=True
        ):
            if is_self:
                source = sector = "Self-referral"
            else:
                source = org_name or org_name_typed or "Not recorded"
                sector = sectors.get(org_sector, "Not recorded")
            by_source[source].append(who)
            by_sector[sector].append(who)
        for source in sorted(by_source):
            self.count(
                s,
                f"referrals_source_{_slug(source)}",
                f"Referrals from {source}",
                f"Referrals received in the quarter whose referrer was {source}.",
                by_source[source],
            )
        for sector in sorted(by_sector):
            self.count(
                s,
                f"referrals_sector_{_slug(sector)}",
                f"Referrals from the {sector.lower()} sector",
                f"Referrals received in the quarter from organisations in the {sector} sector.",
                by_sector[sector],
            )
        decisions = list(
            EligibilityDecision.objects.filter(
                referral__team=self.team, decided_at__range=(self.lo, self.hi)
            ).values(
                "outcome",
                "referral__person_id",
                "referral_id",
                "decided_at",
                "referral__created_at",
            )
        )
        for value, label in EligibilityDecision.Outcome.choices:
            self.count(
                s,
                f"decisions_{value}",
                f"Decisions: {label.split(' (')[0].lower()}",
                f"Eligibility decisions recorded in the quarter with the outcome “{label}”.",
                [
                    d["referral__person_id"] or d["referral_id"]
                    for d in decisions
                    if d["outcome"] == value
                ],
            )
        # One value per decision, not per person.
        waits = [
            (
                d["referral__person_id"] or d["referral_id"],
                (d["decided_at"] - d["referral__created_at"]).days,
            )
            for d in decisions
        ]
        self.mean(
            s,
            "days_to_decision",
            "Average days from referral to decision",
            "For decisions recorded in the quarter: whole days from the referral being "
            "received to the decision.",
            waits,
        )

    @_without_cyclic_gc
    def outcomes(self):
        s = "Outcomes"
        self._ndt(s)
        self._reqol(s)
        active_ids = {e["person_id"] for e in self._active_episodes}
        # A subquery, not the ids: tens of thousands of ids sent back as literals cost more to
        # send and plan than the query they filter.
        active_people = Person.objects.filter(pk__in=self._active_person_ids())
        self._events(s, active_people)
        self._accommodation_budgets_stars(s, active_people, active_ids)

    def _episodes_supported_in_quarter(self):
        """Episodes of support that ran on at least one day of the quarter: begun (the start
        date, or the day accepted where none is recorded) by its last day, not ended before its
        first."""
        return (
            Episode.objects.filter(person__team=self.team)
            .annotate(began=Coalesce("start_date", "accepted_on"))
            .filter(began__lte=self.end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start))
        )

    def _ndt_pairs(self):
        """{"standard"|"amended": {person id: Comparison}}: for each person supported in the
        quarter, baseline and latest NDT in their most recent episode with both, measured on one
        scheme version by `ndt_changes`, the same as every page that shows a change (ADR 0020)."""
        if not hasattr(self, "_ndt_pairs_cache"):
            changes = ndt_changes(self._episodes_supported_in_quarter(), until=self.end)
            pairs = {"standard": {}, "amended": {}}
            for change in sorted(changes.values(), key=lambda c: c.accepted_on):
                for name, by_person in pairs.items():
                    if getattr(change, name):
                        by_person[change.person_id] = getattr(change, name)
            self._ndt_pairs_cache = pairs
        return self._ndt_pairs_cache

    def _ndt(self, s):
        for name, pairs in self._ndt_pairs().items():
            rows = {pid: c for pid, c in pairs.items() if c.comparable}
            scale = _ndt_scale_text(c.scale for c in rows.values())
            kind = "amended " if name == "amended" else ""
            self.count(
                s,
                f"ndt_{name}_people",
                f"People with an NDT baseline and review ({name})",
                f"People supported in the quarter (an episode of support running on at least one "
                f"of its days) with at least two completed {kind}NDT assessments in that episode "
                f"by the end of the quarter, whose baseline and latest can be compared on one "
                f"version of the scheme. Totals are {scale}.",
                list(rows),
            )
            self.mean(
                s,
                f"ndt_{name}_mean_baseline",
                f"Mean NDT at baseline ({name})",
                f"For the people above, the mean of their baseline {name} NDT total (the first "
                "completed assessment in the episode) on the version of their latest assessment: "
                "re-scored from its item answers where it used an earlier version.",
                {pid: c.baseline_total for pid, c in rows.items()},
            )
            self.mean(
                s,
                f"ndt_{name}_mean_latest",
                f"Mean NDT latest ({name})",
                f"For the same people, the mean of their latest {name} NDT total up to the end "
                "of the quarter.",
                {pid: c.latest_total for pid, c in rows.items()},
            )
            self.mean(
                s,
                f"ndt_{name}_mean_change",
                f"Mean NDT change, baseline to latest ({name})",
                f"For people supported in the quarter only: latest minus baseline {name} NDT "
                f"total, both {scale}; negative means less need.",
                {pid: c.change for pid, c in rows.items()},
            )
            self.share(
                s,
                f"ndt_{name}_improved",
                f"Share improved on the NDT ({name}), %",
                f"Of the people above, the per cent whose latest {name} total is below "
                "their baseline.",
                [pid for pid, c in rows.items() if c.change < 0],
                list(rows),
            )

    def _ndt_not_comparable(self, s):
        for name, pairs in self._ndt_pairs().items():
            self.count(
                s,
                f"ndt_{name}_not_comparable",
                f"People left out of the NDT change ({name})",
                f"People supported in the quarter with a baseline and a later {name} NDT whose "
                "baseline was scored under a version of the scheme without one of the later "
                "version's items, so the two cannot be compared. They are left out of the NDT "
                "outcome figures.",
                [pid for pid, c in pairs.items() if not c.comparable],
            )

    def _reqol(self, s):
        records = defaultdict(list)
        for pid, total in (
            ReqolRecord.objects.filter(person__team=self.team, completed_on__lte=self.end)
            .order_by("completed_on", "created_at")
            .values_list("person_id", "total")
        ):
            records[pid].append(total)
        counted = [pid for pid, totals in records.items() if len(totals) >= 2]
        self.count(
            s,
            "reqol_people",
            "People with a first and a later ReQoL-10",
            "People with two or more ReQoL-10 records completed by the end of the quarter.",
            counted,
        )
        self.mean(
            s,
            "reqol_mean_change",
            "Mean ReQoL-10 change, first to latest",
            "Latest minus first ReQoL-10 total (0–40); positive means better quality of life.",
            {pid: records[pid][-1] - records[pid][0] for pid in counted},
        )
        self.share(
            s,
            "reqol_improved",
            "Share improved on the ReQoL-10, %",
            "Of the people above, the per cent whose latest total is above their first.",
            [pid for pid in counted if records[pid][-1] > records[pid][0]],
            counted,
        )

    def _events(self, s, active_people):
        compared, rows = events_against_first_quarter(active_people, self.quarter)
        self.count(
            s,
            "events_people_compared",
            "People compared with their first quarter",
            "People active at quarter end who began before this quarter: their service use "
            "and crisis events this quarter set against their own first quarter on the "
            "programme.",
            compared,
        )
        # Each kind's people with any, in one pass: a total leaves out whoever has none.
        first, this = defaultdict(dict), defaultdict(dict)
        compared = set(compared)
        for pid, kind, in_first, in_this in rows:
            if pid in compared:
                if in_first:
                    first[kind][pid] = in_first
                if in_this:
                    this[kind][pid] = in_this
        for kind, label in EventKind.choices:
            unit = EVENT_UNITS.get(kind, "")
            what = f"{label} ({unit})" if unit else label
            measured = f"{label.lower()} ({unit})" if unit else f"{label.lower()} (occurrences)"
            self.total(
                s,
                f"events_{kind}_first",
                f"{what}: their first quarter",
                f"For the people compared: {measured} dated in each person's first "
                "quarter on the programme.",
                first[kind],
            )
            self.total(
                s,
                f"events_{kind}_this",
                f"{what}: this quarter",
                f"For the same people: {measured} dated in this quarter.",
                this[kind],
            )

    def _accommodation_budgets_stars(self, s, active_people, active_ids):
        # Each status's people in one pass, in the order `accommodation_on` gives them.
        where = defaultdict(list)
        for pid, status in accommodation_on(active_people, self.end).items():
            where[status].append(pid)
        for value, label in AccommodationStatus.choices:
            self.count(
                s,
                f"accommodation_{value}",
                f"Accommodation at quarter end: {label.lower()}",
                "People active at quarter end whose latest accommodation status on or "
                f"before the last day of the quarter was “{label}”.",
                where[value],
            )
        self.count(
            s,
            "accommodation_not_recorded",
            "Accommodation at quarter end: not recorded",
            "People active at quarter end with no accommodation status recorded by then.",
            where[None],
        )
        self._accommodation_change(s)
        offered = set(
            PersonalBudget.objects.filter(
                person__in=active_people, offered_on__lte=self.end
            ).values_list("person_id", flat=True)
        )
        self.count(
            s,
            "budgets_offered",
            "People with a personal budget",
            "People active at quarter end offered a personal budget on or before its last day.",
            offered,
        )
        self.share(
            s,
            "budgets_share",
            "Share with a personal budget, %",
            "Of people active at quarter end, the per cent offered a personal budget.",
            offered,
            active_ids,
        )
        spent = defaultdict(int)
        for pid, amount in BudgetSpend.objects.filter(
            budget__person__team=self.team, spent_on__range=(self.start, self.end)
        ).values_list("budget__person_id", "amount"):
            spent[pid] += amount
        self.total(
            s,
            "budgets_spent",
            "Personal budget spent in the quarter (£)",
            "Sum of personal-budget spend items dated in the quarter, in pounds and pence.",
            spent,
            money=True,
        )
        self._budget_amounts(s)
        stars = outcomes_star_count(Person.objects.filter(team=self.team), self.start, self.end)
        self.number(
            s,
            "outcomes_stars",
            "Outcomes Stars completed elsewhere",
            "Outcomes Star completions recorded with a date in the quarter (their content "
            "is held by the service that used it, not here).",
            stars["stars"],
            people=True,  # completions by a handful of people could point to them
        )

    def _accommodation_change(self, s):
        """Where people lived when their support began against where they live at quarter end
        (or when support ended in the quarter): one row per person, their latest episode. The
        database picks the episode, and the changes that give both statuses: at most three rows
        a person."""
        ended = Q(
            status=EpisodeStatus.CLOSED,
            end_date__range=(self.start, self.end),
            start_date__isnull=False,  # never engaged: there is no start to compare with
        )
        active = self._active_at_end()
        # The latest start; on a tie an episode ended in the quarter before one still open, then
        # the one accepted first.
        latest = Window(
            RowNumber(),
            partition_by=F("person_id"),
            order_by=[
                F("start_date").desc(),
                Case(When(ended, then=Value(0)), default=Value(1)).asc(),
                F("accepted_on").asc(),
            ],
        )
        # "At most 1" for "1": see `caseload.outcomes.selectors.first_episodes`.
        latest_ids = (
            Episode.objects.filter(person__team=self.team)
            .filter(ended | active)
            .annotate(nth=latest)
            .filter(nth__lte=1)
            .values("id")
        )
        # Each change joined to its person's latest episode (one a person, so one row a change),
        # and only those dated by the end of that support: its end date, or the quarter's last
        # day while it is open. Numbered three ways in one pass, newest first overall and among
        # those dated by the start, and oldest first: at most three rows a person come back,
        # instead of three lookups into the changes for each of 21,000 episodes at 100×.
        episode = "person__episodes__"
        ended_episode = Q(
            **{
                f"{episode}status": EpisodeStatus.CLOSED,
                f"{episode}end_date__range": (self.start, self.end),
                f"{episode}start_date__isnull": False,
            }
        )
        until = Case(When(ended_episode, then=F(f"{episode}end_date")), default=Value(self.end))
        by_start = ExpressionWrapper(
            Q(from_date__lte=F(f"{episode}start_date")), output_field=BooleanField()
        )
        newest = [F("from_date").desc(), F("created_at").desc()]
        person = [F("person_id")]
        rows = (
            AccommodationChange.objects.filter(**{f"{episode}in": latest_ids})
            .annotate(until=until, by_start=by_start)
            .filter(from_date__lte=F("until"))
            .annotate(
                nth_newest=Window(RowNumber(), partition_by=person, order_by=newest),
                nth_by_start=Window(
                    RowNumber(), partition_by=[*person, F("by_start")], order_by=newest
                ),
                nth_oldest=Window(
                    RowNumber(),
                    partition_by=person,
                    order_by=[F("from_date").asc(), F("created_at").asc()],
                ),
            )
            .filter(Q(nth_newest=1) | Q(nth_by_start=1, by_start=True) | Q(nth_oldest=1))
            .order_by()
            .values_list(
                "person_id", "status", "nth_newest", "nth_by_start", "by_start", "nth_oldest"
            )
        )
        # Where they lived as support began: the latest status dated by the start, or, when the
        # first was recorded only afterwards, that first one; at the end, the latest.
        at_end, dated_by_start, first = {}, {}, {}
        for pid, status, nth_newest, nth_by_start, is_by_start, nth_oldest in rows:
            if nth_newest == 1:
                at_end[pid] = status
            if is_by_start and nth_by_start == 1:
                dated_by_start[pid] = status
            if nth_oldest == 1:
                first[pid] = status
        rows = [(pid, dated_by_start.get(pid, first[pid]), end) for pid, end in at_end.items()]
        compared, into_settled, out_of_rough = [], [], []
        settled, rough = AccommodationStatus.SETTLED, AccommodationStatus.ROUGH_SLEEPING
        for pid, at_start, at_end in rows:
            if at_start is None or at_end is None:
                continue
            compared.append(pid)
            if at_start != settled and at_end == settled:
                into_settled.append(pid)
            if at_start == rough and at_end != rough:
                out_of_rough.append(pid)
        self.count(
            s,
            "accommodation_change_people",
            "People with accommodation recorded at start and now",
            "People active at quarter end or whose support ended in the quarter, with where "
            "they lived recorded both when their support began (the latest status dated on or "
            "before the start, else the first recorded after it) and at quarter end (or when "
            "their support ended). Their latest episode only.",
            compared,
        )
        self.count(
            s,
            "accommodation_into_settled",
            "Moved into settled accommodation since starting",
            "Of the people above, those not in a settled tenancy when their support began and "
            "in one at quarter end (or when their support ended).",
            into_settled,
        )
        self.count(
            s,
            "accommodation_out_of_rough_sleeping",
            "Moved out of rough sleeping since starting",
            "Of the people above, those rough sleeping when their support began and living "
            "anywhere else at quarter end (or when their support ended), prison and hospital "
            "included.",
            out_of_rough,
        )

    def _budget_amounts(self, s):
        """Personal budgets of the episodes open at quarter end: offered, spent and left."""
        budgets = PersonalBudget.objects.filter(
            episode__in=self._episodes_active_at_end().values("id"), offered_on__lte=self.end
        )
        offered, spent = defaultdict(Decimal), defaultdict(Decimal)
        for pid, amount in budgets.values_list("person_id", "amount_offered"):
            offered[pid] += amount
        for pid, amount in BudgetSpend.objects.filter(
            budget__in=budgets.values("id"), spent_on__lte=self.end
        ).values_list("budget__person_id", "amount"):
            spent[pid] += amount
        which = (
            "For people active at quarter end, the personal budgets of their current episodes "
            "offered on or before its last day"
        )
        self.total(
            s,
            "budgets_offered_amount",
            "Personal budgets offered (£)",
            f"{which}: the amounts offered, in pounds and pence.",
            offered,
            money=True,
        )
        self.total(
            s,
            "budgets_spent_to_date",
            "Personal budgets spent to quarter end (£)",
            f"{which}: spend items dated on or before the last day of the quarter, since "
            "each budget was offered.",
            spent,
            money=True,
        )
        self.total(
            s,
            "budgets_balance",
            "Personal budgets balance at quarter end (£)",
            "Offered minus spent to quarter end, for the same budgets (below zero where a "
            "team leader approved an overspend).",
            {pid: offered[pid] - spent[pid] for pid in offered},
            money=True,
        )

    @_without_cyclic_gc
    def mdt(self):
        s = "MDT"
        figures = mdt_figure_people(self.team, self.start, self.end)
        self.number(
            s,
            "mdt_meetings_held",
            "MDT meetings held",
            "Meetings held (status “held”) whose date fell in the quarter.",
            figures["meetings_held"],
            people=False,
        )
        for key, label, definition in [
            (
                "cases_discussed",
                "MDT cases discussed",
                "Agenda items at meetings held in the quarter.",
            ),
            (
                "actions_agreed",
                "MDT actions agreed",
                "Actions recorded at meetings held in the quarter.",
            ),
            (
                "actions_completed",
                "MDT actions completed",
                "Of those, actions marked done by the end of the quarter.",
            ),
            (
                "actions_overdue",
                "MDT actions overdue",
                "Of those, actions not done whose due date was before the last day of the quarter.",
            ),
            (
                "successful_outcomes",
                "Successful MDT outcomes",
                "Cases at meetings held in the quarter with the outcome “resolved: support in place”.",
            ),
        ]:
            self.count(s, f"mdt_{key}", label, definition, figures["person_ids"][key])
        for source, ids in figures["person_ids"]["referrals_by_source"].items():
            self.count(
                s,
                f"mdt_referrals_{_slug(source)}",
                f"MDT referrals: {source.lower()}",
                f"MDT referrals made in the quarter with the source “{source}”.",
                ids,
            )
        for org, seen in figures["attendance_summary"].items():
            slug = _slug(org)
            self.number(
                s,
                f"mdt_invited_{slug}",
                f"MDT meetings {org} was invited to",
                f"Meetings held in the quarter to which {org} was invited (as an organisation or "
                "through any of its members).",
                seen["invited"],
                people=False,
            )
            self.number(
                s,
                f"mdt_attendance_{slug}",
                f"MDT meetings {org} attended",
                f"Of those, meetings at which {org} was recorded present (however many of its "
                "members came).",
                seen["attended"],
                people=False,
            )
            self.number(
                s,
                f"mdt_apologies_{slug}",
                f"MDT apologies from {org}",
                f"Of those, meetings for which {org} sent apologies and none of its invitees "
                "was present.",
                seen["apologies"],
                people=False,
            )

    @_without_cyclic_gc
    def domestic_abuse(self):
        s = "Domestic abuse"
        checklists = domestic_abuse.checklists_in(self.team, self.start, self.end)
        self.count(
            s,
            "dash_completed",
            "DASH checklists completed",
            "DASH risk checklists completed in the quarter (a person with two counts twice).",
            [pid for pid, _level in checklists],
        )
        self.count(
            s,
            "dash_high_risk_checklists",
            "DASH checklists giving high risk",
            "Of those, checklists whose risk level was high (14 or more yes, professional "
            "judgement or escalation).",
            [pid for pid, level in checklists if level == "high"],
        )
        self.count(
            s,
            "da_high_risk_at_end",
            "People at high risk at quarter end",
            "People whose latest DASH checklist on or before the last day of the quarter gave "
            "high risk.",
            domestic_abuse.high_risk_at(self.team, self.end),
        )
        referrals = domestic_abuse.marac_referrals_in(self.team, self.start, self.end)
        self.count(
            s,
            "marac_referrals",
            "MARAC referrals",
            "Referrals to a MARAC made in the quarter.",
            [pid for pid, _repeat in referrals],
        )
        self.count(
            s,
            "marac_repeat_referrals",
            "MARAC repeat referrals",
            "Of those, referrals made within 12 months of an earlier referral of the same person.",
            [pid for pid, repeat in referrals if repeat],
        )

    @_without_cyclic_gc
    def information_sharing(self):
        s = "Information sharing"
        register = DataSharingAgreement.objects.filter(parties=self.team.organisation_id)
        self.number(
            s,
            "dsa_in_force",
            "Data-sharing agreements in force",
            "Data-sharing agreements to which the team's organisation is a party, in force on "
            "the last day of the quarter (started by then and not ended).",
            register.in_force(self.end).count(),
            people=False,
        )
        self.number(
            s,
            "dsa_new",
            "New data-sharing agreements",
            "Of the team's organisation's data-sharing agreements, those that came into force "
            "during the quarter.",
            register.filter(start_on__range=(self.start, self.end)).count(),
            people=False,
        )
        self.number(
            s,
            "dsa_review_overdue",
            "Data-sharing agreements overdue for review",
            "Agreements in force on the last day of the quarter whose review date had passed.",
            register.review_overdue(self.end).count(),
            people=False,
        )
        withdrawn = SharingAgreement.objects.filter(
            person__team=self.team,
            purpose=Purpose.MDT,
            withdrawn_at__range=(self.lo, self.hi),
        ).order_by()
        self.count(
            s,
            "mdt_sharing_withdrawn",
            "People who withdrew MDT sharing",
            "People with an agreement to share their information at the MDT withdrawn during "
            "the quarter (once each, however many organisations it named).",
            set(withdrawn.values_list("person_id", flat=True)),
        )

    @_without_cyclic_gc
    def equity(self):
        s = "Equity"
        active = {e["person_id"] for e in self._active_episodes}
        recorded = {
            "gender": "Gender",
            "ethnicity": "Ethnicity",
            "sexual_orientation": "Sexual orientation",
            "religion": "Religion or belief",
            "disability": "Disability",
        }
        # Everyone active is one of the team's people, already read with what this asks.
        values = {pid: self._people[pid] for pid in active}
        for field_name, label in recorded.items():
            n = RECORDED.index(field_name)
            self.share(
                s,
                f"recorded_{field_name}",
                f"{label} recorded, %",
                f"Of people active at quarter end, the per cent whose {label.lower()} is "
                "recorded (an answer, including “prefer not to say”; “not asked / not "
                "known” is not recorded).",
                [pid for pid, p in values.items() if p[n] != "not_known"],
                active,
            )

    @_without_cyclic_gc
    def data_quality(self):
        s = "Data quality"
        active = self._active_episodes
        # The latest completed NDT of each active episode, taken in the database.
        latest = dict(
            Assessment.objects.completed()
            .filter(episode__in=self._episodes_active_at_end().values("id"))
            .filter(assessed_on__lte=self.end)
            .values("episode_id")
            .annotate(latest=Max("assessed_on"))
            .order_by()
            .values_list("episode_id", "latest")
        )
        overdue, no_baseline = [], []
        for e in active:
            if e["id"] not in latest:
                no_baseline.append(e["person_id"])
            elif review_status_from(
                e["start_date"] or e["accepted_on"], latest[e["id"]], today=self.end
            ).overdue:
                overdue.append(e["person_id"])
        self.count(
            s,
            "ndt_baseline_missing",
            "Active people without an NDT baseline",
            "People active at quarter end with no completed NDT in their episode by then.",
            no_baseline,
        )
        self.count(
            s,
            "ndt_review_overdue",
            "Active people with an NDT review overdue",
            "People active at quarter end whose latest NDT was more than the review "
            "interval before the last day of the quarter.",
            overdue,
        )
        self._ndt_not_comparable(s)
        active_ids = {e["person_id"] for e in active}
        self.count(
            s,
            "demographics_missing",
            "Active people missing gender or ethnicity",
            "People active at quarter end whose gender or ethnicity is “not asked / not known”.",
            # A person's gender and ethnicity are the first two of their RECORDED values.
            [pid for pid in active_ids if "not_known" in self._people[pid][:2]],
        )
        self.count(
            s,
            "accepted_not_engaged",
            "People accepted but not yet engaged",
            "People with an episode accepted on or before the last day of the quarter, not "
            "ended by then, whose engagement (start date) had not begun by then.",
            set(
                Episode.objects.filter(person__team=self.team, accepted_on__lte=self.end)
                .filter(Q(end_date__isnull=True) | Q(end_date__gt=self.end))
                .filter(Q(start_date__isnull=True) | Q(start_date__gt=self.end))
                .values_list("person_id", flat=True)
            ),
        )
        self.count(
            s,
            "da_survivors_without_dash",
            "Active domestic-abuse survivors with no DASH checklist",
            "Domestic-abuse survivors (as the survivor split defines them) active at quarter end "
            "with no DASH checklist recorded.",
            # The survivors among the active, from the survivor split's own bits.
            domestic_abuse.survivors_without_checklist(
                self.team,
                [pid for pid in active_ids if self._masks.get(pid.int, 0) & self._bits["survivor"]],
            ),
        )
        self.count(
            s,
            "dash_overdue_after_incident",
            "DASH checklists overdue after an incident",
            "People with a domestic-abuse incident or police call-out recorded after their "
            "latest DASH checklist (or with none), as at the last day of the quarter.",
            domestic_abuse.overdue_after_incident(self.team, self.end),
        )
        self._no_recent_contact(s)
        self._appointments_not_attended(s)
        waiting = Referral.objects.filter(team=self.team, created_at__lte=self.hi).exclude(
            Exists(
                EligibilityDecision.objects.filter(referral=OuterRef("pk"), decided_at__lte=self.hi)
            )
        )
        self.count(
            s,
            "referrals_waiting",
            "Referrals waiting for a decision at quarter end",
            "Referrals received by the end of the quarter with no decision recorded by then.",
            [r["person_id"] or r["id"] for r in waiting.values("id", "person_id")],
        )

    def _no_recent_contact(self, s):
        since = self.end - timedelta(days=NO_CONTACT_DAYS - 1)
        lo = datetime.combine(since, time.min, tzinfo=self.lo.tzinfo)
        recent = Contact.objects.made().filter(
            person_id=OuterRef("person_id"), occurred_at__range=(lo, self.hi)
        )
        self.count(
            s,
            "no_contact_28_days",
            f"Active people with no contact for {NO_CONTACT_DAYS} days",
            f"People active at quarter end whose support began at least {NO_CONTACT_DAYS} days "
            f"before its end, with no contact made (attempts do not count) in the "
            f"{NO_CONTACT_DAYS} days up to and including the last day of the quarter.",
            set(
                self._episodes_active_at_end()
                .filter(start_date__lte=since)
                .exclude(Exists(recent))
                .order_by()
                .values_list("person_id", flat=True)
            ),
        )

    def _appointments_not_attended(self, s):
        """Appointments in the quarter the person did not attend (DNA), as events and as
        people, and their share of the appointments whose outcome was recorded. One query."""
        recorded = list(
            Appointment.objects.filter(
                person__team=self.team,
                starts_at__range=(self.lo, self.hi),
                status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.NOT_ATTENDED],
            ).values_list("person_id", "status")
        )
        missed = [person for person, status in recorded if status == AppointmentStatus.NOT_ATTENDED]
        self.count(
            s,
            "appointments_not_attended",
            "Appointments not attended",
            "Appointments booked for a time in the quarter that were recorded as not attended "
            "(did not attend). Each missed appointment counts once, so one person may count "
            "several times.",
            missed,
        )
        self.count(
            s,
            "people_not_attending",
            "People who did not attend an appointment",
            "People with at least one appointment in the quarter recorded as not attended.",
            set(missed),
        )
        self.number(
            s,
            "appointments_not_attended_share",
            "Share of appointments not attended (%)",
            "Of the appointments in the quarter recorded as attended or not attended, the "
            "per cent not attended. Cancelled appointments and those with nothing recorded yet "
            "are left out.",
            round(100 * len(missed) / len(recorded), 1) if recorded else None,
            people=False,
        )


# A month without contact with someone on the caseload is a gap the team follows up.
NO_CONTACT_DAYS = 28


def _months(first_day):
    """The first days of the three months of the quarter beginning on `first_day`."""
    return [
        date(
            first_day.year + (first_day.month + i - 1) // 12, (first_day.month + i - 1) % 12 + 1, 1
        )
        for i in range(3)
    ]


def _ndt_scale_text(scales):
    """The scheme versions a set of NDT figures used, each with its maximum."""
    used = sorted(set(scales), key=lambda scale: (scale.name, scale.version))
    if not used:
        return "on the version of the scheme each person's latest assessment used"
    return "on " + " and ".join(
        f"{scale.name} version {scale.version} (0–{scale.max_total})" for scale in used
    )


def _key(pid):
    """An id as something quick to hash: a UUID's integer (see `Return._masks`)."""
    return getattr(pid, "int", pid)


def _keys(ids):
    """`_key` of each id, as a list: written out, not called per id (the big figures have
    17,000 ids each at 100×), for UUIDs first (people's and referrals' ids)."""
    ids = ids if isinstance(ids, list | set | dict) else list(ids)
    try:
        return [i.int for i in ids]
    except AttributeError:
        return [getattr(i, "int", i) for i in ids]


def _slug(text):
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")[:60]


def build_return(team, quarter):
    """All the figures for a team and quarter, in section order."""
    return Return(team, quarter).build()
