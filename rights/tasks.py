from celery import shared_task

from rights.services import retention_review_run
from smd.models import Team


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def retention_review_weekly():
    """Queued by Celery beat every Monday at 03:00: each team's retention list brought up to
    date for its managers to decide on. Nothing is erased without a manager."""
    return {team.name: len(retention_review_run(team=team)["new"]) for team in Team.objects.all()}
