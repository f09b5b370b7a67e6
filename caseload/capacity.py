"""How many people a worker, and a team, can hold, from the programme's settings (ADR 0008 for
a worker, ADR 0019 for the team's places and the projection)."""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings

from smd.models import Role
from smd.quarters import financial_year_label

ONE_PLACE = Decimal("0.1")
DAYS_A_YEAR = 365


def capacity_of(worker):
    """A navigator holds FTE × NAVIGATOR_CASELOAD_PER_FTE people; a peer mentor their planned
    hours ÷ PEER_MENTOR_HOURS_PER_PERSON. Anyone else holds no caseload."""
    if worker.role == Role.NAVIGATOR:
        places = Decimal(worker.fte) * settings.NAVIGATOR_CASELOAD_PER_FTE
    elif worker.role == Role.PEER_MENTOR:
        places = Decimal(worker.planned_hours) / settings.PEER_MENTOR_HOURS_PER_PERSON
    else:
        return Decimal(0)
    # Rounded down: a capacity that is overstated by a fraction would hide a full caseload.
    return places.quantize(ONE_PLACE, rounding=ROUND_DOWN)


def whole(value):
    """To the nearest whole number, halves up, as the delivery plan counts: 146 hours ÷ 3 =
    48.67 -> 49 places."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def navigator_places(total_fte):
    """A team's navigator places: its navigators' FTE added up, × NAVIGATOR_CASELOAD_PER_FTE,
    to the nearest whole place."""
    return whole(Decimal(total_fte) * settings.NAVIGATOR_CASELOAD_PER_FTE)


def peer_mentor_places(total_hours):
    """A team's peer-mentor places: its peer mentors' planned hours added up first, then ÷
    PEER_MENTOR_HOURS_PER_PERSON once, to the nearest whole place. Rounding each worker first
    would make 75 hours 24.9 or 25 places depending on how the hours are split."""
    return whole(Decimal(total_hours) / settings.PEER_MENTOR_HOURS_PER_PERSON)


def people_a_year(places, average_days):
    """People the places can support in a year: places × 365 ÷ average days on service, to
    the nearest whole person (81 places at 455 days -> 65)."""
    if not average_days:
        return None
    return whole(Decimal(places) * DAYS_A_YEAR / Decimal(average_days))


def places(value):
    """8.0 -> "8", 4.8 -> "4.8", for people reading a capacity."""
    return f"{Decimal(value).normalize():f}"


@dataclass
class Load:
    """A worker's caseload against their capacity."""

    worker: object
    load: int
    capacity: Decimal
    matches: list = field(default_factory=list)

    @property
    def free(self):
        return self.capacity - self.load

    @property
    def over(self):
        return self.load > self.capacity

    @property
    def full(self):
        """One more person would take them over capacity."""
        return self.load + 1 > self.capacity

    @property
    def percent(self):
        if not self.capacity:
            return 100 if self.load else 0
        return min(100, round(100 * self.load / self.capacity))


@dataclass
class Totals:
    """A group of workers' load against their places. Places are worked out once from the
    group's FTE or planned hours added up, in whole places (ADR 0019), not from each worker's
    capacity rounded and then added."""

    label: str
    role: str = Role.NAVIGATOR
    fte: Decimal = Decimal(0)
    hours: Decimal = Decimal(0)
    load: int = 0
    workers: int = 0

    def add(self, item):
        """An active worker: their places and the people they hold."""
        self.fte += Decimal(item.worker.fte)
        self.hours += Decimal(item.worker.planned_hours)
        self.load += item.load
        self.workers += 1

    def add_load(self, item):
        """A worker who has left but still holds people: the people fill places, and the worker
        brings none."""
        self.load += item.load

    @property
    def capacity(self):
        if self.role == Role.PEER_MENTOR:
            return peer_mentor_places(self.hours)
        return navigator_places(self.fte)

    @property
    def headroom(self):
        return self.capacity - self.load


@dataclass
class WaitingSummary:
    """People waiting for a lead navigator, and for how long, in days."""

    count: int = 0
    mean_days: Decimal | None = None
    longest_days: int | None = None


@dataclass
class DaysOnService:
    """The average days on service the projection uses: the team's own closed episodes, or
    the setting until there are enough of them."""

    days: Decimal
    closed: int
    needed: int
    own: bool


@dataclass
class TeamCapacity:
    """The team's capacity as the delivery plan reads it: navigator and peer-mentor places
    combined, how full they are, who is waiting and the people a year that capacity supports,
    beside the plan's target for the year."""

    navigators: Totals
    peer_mentors: Totals
    waiting: WaitingSummary
    days_on_service: DaysOnService
    year: int
    target: int | None = None

    @property
    def places(self):
        return self.navigators.capacity + self.peer_mentors.capacity

    @property
    def filled(self):
        return self.navigators.load + self.peer_mentors.load

    @property
    def free(self):
        return self.places - self.filled

    @property
    def percent_full(self):
        """Places filled as a share of places, to the nearest whole per cent (over 100 when
        the team holds more than its places)."""
        if not self.places:
            return None
        return whole(Decimal(100) * self.filled / self.places)

    @property
    def projected(self):
        return people_a_year(self.places, self.days_on_service.days)

    @property
    def short_of_target(self):
        """How many people a year the projection falls short of the target by; 0 if it meets
        it, None without a target."""
        if self.target is None or self.projected is None:
            return None
        return max(0, self.target - self.projected)

    @property
    def year_label(self):
        return financial_year_label(self.year)
