"""Which of a person's records a user may change, for views and services alike: the role part
is a permission in smd.access; this adds the person's team and the user's allocation."""

from caseload.models import Allocation


def may_change_episode(user, episode):
    """Pausing, resuming and closing support is the lead navigator's call, or a team leader's.
    Any other navigator of the team may read the person but not end their support."""
    if not (user.can_change_episodes and user.team_id == episode.person.team_id):
        return False
    if user.can_overrule:
        return True
    return (
        Allocation.objects.current()
        .filter(episode=episode, worker=user, kind=Allocation.Kind.LEAD_NAVIGATOR)
        .exists()
    )
