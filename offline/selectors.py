"""What a phone may keep for offline use: the caseload rows and nothing more (ADR 0033)."""

from django.utils import timezone

from caseload import selectors as caseload_selectors
from caseload.models import ContactKind

# A caseload is eight people a full-time navigator; this only bounds a mistake.
MOST_ROWS = 200


def _day(value):
    return timezone.localdate(value).isoformat() if value else None


def caseload_snapshot(user):
    """My caseload as its page shows it (names, support paused, safety flags, last contact and
    next action), as plain data for the phone. One query."""
    kinds = dict(ContactKind.choices)
    people = []
    for person in caseload_selectors.my_caseload(user)[:MOST_ROWS]:
        attempted = person.last_attempt_at is not None and (
            person.last_contact_at is None or person.last_attempt_at > person.last_contact_at
        )
        people.append(
            {
                "id": str(person.pk),
                "name": str(person),
                "short_name": person.known_as or person.first_name,
                "paused": person.episode_status == "paused",
                "flags": person.get_risk_flags_display(),
                "last_contact_on": _day(person.last_contact_at),
                "last_contact_kind": kinds.get(person.last_contact_kind, ""),
                "last_attempt_on": _day(person.last_attempt_at) if attempted else None,
                "next_action": person.next_action or "",
                "next_action_due": person.next_action_due.isoformat()
                if person.next_action_due
                else None,
            }
        )
    return people


def on_caseload(user, person):
    """Whether `person` is on the user's caseload now (one query)."""
    return caseload_selectors.my_caseload(user).filter(pk=person.pk).exists()
