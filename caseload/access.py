"""Who may change what in a person's support, in one place for views and services alike."""

from caseload.models import Allocation
from smd.models import Role


def may_change_episode(user, episode):
    """Pausing, resuming and closing support is the lead navigator's call, or a team leader's.
    Any other navigator of the team may read the person but not end their support."""
    if not (user.is_active and user.in_team and user.team_id == episode.person.team_id):
        return False
    if user.role == Role.TEAM_LEADER:
        return True
    return (
        user.role == Role.NAVIGATOR
        and Allocation.objects.current()
        .filter(episode=episode, worker=user, kind=Allocation.Kind.LEAD_NAVIGATOR)
        .exists()
    )
