from django import template

from assessments.models import NDT_ACKNOWLEDGEMENT, Assessment
from assessments.selectors import review_status, review_status_from
from caseload.models import EpisodeStatus

register = template.Library()


@register.inclusion_tag("assessments/_person_summary.html", takes_context=True)
def ndt_summary(context, person):
    """The NDT panel on the person page: latest totals, when the next one is due, and links.

    Reads the person's episodes from the page's own prefetch; costs one query for the latest
    completed assessment in the open episode."""
    user = context["request"].user
    open_episode = next(
        (e for e in person.episodes.all() if e.status != EpisodeStatus.CLOSED), None
    )
    latest = None
    if open_episode is not None:
        latest = (
            Assessment.objects.visible_to(user)
            .completed()
            .filter(episode=open_episode)
            .select_related("scheme")
            .order_by("-assessed_on", "-created_at")
            .first()
        )
    return {
        "person": person,
        "latest": latest,
        "review": review_status(open_episode, latest.assessed_on if latest else None)
        if open_episode
        else None,
        "can_assess": user.in_team and open_episode is not None,
        "acknowledgement": NDT_ACKNOWLEDGEMENT,
    }


@register.simple_tag
def ndt_review(episode_began, latest_assessed_on):
    """The review status for a caseload row, from its annotations (no query)."""
    if episode_began is None:
        return None
    return review_status_from(episode_began, latest_assessed_on)
