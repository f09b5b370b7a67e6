"""Sharing agreements coming to their review or end date: a person's agreement with a partner
(its review or expiry date) and a data-sharing agreement in the register (its review date, and
its end date when one is set). Team leaders and managers are told SHARING_REMINDER_DAYS before,
and on the day (or the first sweep in the week after it). Registered by SharingConfig.ready()."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from sharing.models import DataSharingAgreement, SharingAgreement
from smd.models import Role, User
from smd.notifications.services import notify, register_kind, register_sweep

COMING_UP = "sharing_date_coming"
REACHED = "sharing_date_reached"
# A day missed by the sweep (beat down) is still told within this many days of it.
CATCH_UP_DAYS = 7
WATCHERS = [Role.TEAM_LEADER, Role.MANAGER]


def register():
    register_kind(COMING_UP, label="Sharing agreement review or end date coming up")
    register_kind(REACHED, label="Sharing agreement review or end date reached")
    register_sweep(sharing_dates_sweep)


def _kind(date, today):
    days = (date - today).days
    if 0 < days <= settings.SHARING_REMINDER_DAYS:
        return COMING_UP
    if -CATCH_UP_DAYS <= days <= 0:
        return REACHED
    return None


def _watchers(team_ids):
    users = User.objects.filter(team_id__in=team_ids, role__in=WATCHERS, is_active=True)
    by_team = {}
    for user in users:
        by_team.setdefault(user.team_id, []).append(user)
    return by_team


def sharing_dates_sweep(*, today):
    low = today - timedelta(days=CATCH_UP_DAYS)
    high = today + timedelta(days=settings.SHARING_REMINDER_DAYS)
    made = 0

    people = SharingAgreement.objects.filter(
        withdrawn_at__isnull=True, expires_on__range=(low, high)
    ).select_related("person")
    watchers = _watchers({agreement.person.team_id for agreement in people})
    for agreement in people:
        kind = _kind(agreement.expires_on, today)
        verb = "reaches" if kind == COMING_UP else "reached"
        for user in watchers.get(agreement.person.team_id, []):
            made += bool(
                notify(
                    user=user,
                    kind=kind,
                    key=f"sharing:{agreement.pk}",
                    due=agreement.expires_on,
                    title=(
                        f"A person's sharing agreement {verb} its review or expiry date: "
                        f"{agreement.expires_on:%-d %B %Y}"
                    ),
                    url=agreement.person.get_absolute_url(),
                )
            )

    register = (
        DataSharingAgreement.objects.filter(
            Q(review_on__range=(low, high)) | Q(ended_on__range=(low, high))
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=low))
        .prefetch_related("parties__teams")
    )
    for dsa in register:
        teams = {team.pk for party in dsa.parties.all() for team in party.teams.all()}
        watchers = _watchers(teams)
        dates = [("review", dsa.review_on)]
        if dsa.ended_on:
            dates.append(("end", dsa.ended_on))
        for what, date in dates:
            kind = _kind(date, today)
            if kind is None:
                continue
            verb = "reaches" if kind == COMING_UP else "reached"
            for team_users in watchers.values():
                for user in team_users:
                    made += bool(
                        notify(
                            user=user,
                            kind=kind,
                            key=f"dsa:{dsa.pk}:{what}",
                            due=date,
                            title=(
                                f"Data-sharing agreement “{dsa.title}” {verb} its {what} "
                                f"date: {date:%-d %B %Y}"
                            ),
                            url=reverse("sharing:register"),
                        )
                    )
    return made
