"""How many people a worker can hold, from the programme's settings (see ADR 0008)."""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.conf import settings

from smd.models import Role

ONE_PLACE = Decimal("0.1")


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
    label: str
    capacity: Decimal = Decimal(0)
    load: int = 0
    workers: int = 0

    def add(self, item):
        self.capacity += item.capacity
        self.load += item.load
        self.workers += 1

    @property
    def headroom(self):
        return self.capacity - self.load
