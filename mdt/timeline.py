"""MDT referrals, discussions at held meetings and actions on the person's timeline
(caseload.timeline)."""

from caseload import timeline
from mdt.models import Action, AgendaItem, MdtMeeting, MdtReferral


def register():
    """Registered by MdtConfig.ready()."""
    timeline.register_group("mdt", "MDT", position=80)
    timeline.register(
        timeline.Source(
            kind="mdt_referral",
            group="mdt",
            template="mdt/timeline/referral.html",
            records=lambda person, user: MdtReferral.objects.filter(person=person),
            at="created_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("referring_organisation", "referred_by"),
        )
    )
    timeline.register(
        timeline.Source(
            kind="mdt_discussion",
            group="mdt",
            template="mdt/timeline/discussion.html",
            records=lambda person, user: AgendaItem.objects.filter(
                person=person, meeting__status=MdtMeeting.Status.HELD
            ),
            at="meeting__starts_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("meeting"),
        )
    )
    timeline.register(
        timeline.Source(
            kind="mdt_action",
            group="mdt",
            template="mdt/timeline/action.html",
            records=lambda person, user: Action.objects.filter(person=person),
            at="created_at",
            same_for_anyone=True,
            eager=lambda qs: qs.select_related("owner", "owner_organisation"),
        )
    )
