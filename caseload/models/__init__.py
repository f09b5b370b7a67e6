"""The caseload models, by topic: people (`people.py`), periods of support and allocation
(`support.py`), contacts (`contacts.py`); support plans and outcomes beside their views in
`caseload/outcomes/models.py`. Everything is importable from `caseload.models`."""

from caseload.models.contacts import (  # noqa: F401
    CONTACT_MAX_MINUTES,
    Contact,
    ContactKind,
    ContactQuerySet,
    ContactVersion,
    Topic,
)
from caseload.models.people import (  # noqa: F401
    CONTACT_ROUTES,
    Person,
    PersonAlias,
    PersonQuerySet,
    RiskFlag,
    WorkerGender,
    read_for,
    records_of,
    was_read_for,
)
from caseload.models.support import (  # noqa: F401
    Allocation,
    AllocationQuerySet,
    Episode,
    EpisodeQuerySet,
    EpisodeStatus,
    EpisodeStatusChange,
    ExitDestination,
    PauseReason,
)
from caseload.outcomes.models import (  # noqa: F401
    DURATION_EVENT_KINDS,
    EVENT_UNITS,
    MAX_EVENT_QUANTITY,
    MAX_GOAL_STEPS,
    OPEN_GOAL_STATUSES,
    PENNY,
    AccommodationChange,
    AccommodationStatus,
    BudgetSpend,
    EventKind,
    EventSource,
    Goal,
    GoalQuerySet,
    GoalReview,
    GoalStatus,
    Money,
    OutcomesStarRecord,
    PersonalBudget,
    PersonalBudgetQuerySet,
    ServiceEvent,
)
