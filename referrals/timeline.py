"""Referrals and eligibility decisions on the person's timeline (caseload.timeline)."""

from caseload import timeline
from referrals.models import EligibilityDecision, Referral


def register():
    """Registered by ReferralsConfig.ready()."""
    timeline.register_group("referrals", "Referrals and decisions", position=40)
    # Referrals are seen only by roles that see referrals (not peer mentors): the sources ask
    # Referral.objects.visible_to, the same as the referral pages.
    timeline.register(
        timeline.Source(
            kind="referral",
            group="referrals",
            template="caseload/timeline/referral.html",
            records=lambda person, user: Referral.objects.visible_to(user).filter(person=person),
            at="created_at",
            eager=lambda qs: qs.select_related("referrer_organisation"),
        )
    )
    timeline.register(
        timeline.Source(
            kind="decision",
            group="referrals",
            template="caseload/timeline/decision.html",
            records=lambda person, user: EligibilityDecision.objects.filter(
                referral__in=Referral.objects.visible_to(user).filter(person=person)
            ),
            at="decided_at",
            eager=lambda qs: qs.select_related("decided_by", "referral"),
        )
    )
