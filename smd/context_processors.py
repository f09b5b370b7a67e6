from django.urls import reverse

from smd.models import TEAM_ROLES, Role


def navigation(request):
    """The navigation each role sees: its own work, nothing it cannot open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # Before the second factor, every page but the code step would only send them back to it.
    if not getattr(user, "is_verified", lambda: False)():
        return {"nav_items": []}
    # A navigator's or peer mentor's home is their caseload (smd.views.home sends them there).
    if user.holds_caseload:
        items = [("My caseload", reverse("caseload:my_caseload"))]
    else:
        items = [("Home", reverse("home"))]
    if user.can_see_team_capacity:
        items.append(("Team capacity", reverse("caseload:team_capacity")))
    if user.can_triage:
        items.append(("Triage", reverse("referrals:triage")))
    if user.team_id and (user.role in TEAM_ROLES or user.role == Role.PEER_MENTOR):
        label = "My people" if user.role == Role.PEER_MENTOR else "People"
        items.append((label, reverse("caseload:person_list")))
    if user.in_team:
        items.append(("MDT", reverse("mdt:meetings")))
    elif user.role == Role.MDT_MEMBER and user.is_active:
        items.append(("MDT meetings", reverse("mdt:meetings")))
        items.append(("My MDT actions", reverse("mdt:my_actions")))
    if user.can_make_referrals:
        items.append(("New referral", reverse("referrals:new")))
    if user.can_see_referral_overview:
        items.append(("Referral overview", reverse("referrals:overview")))
    if user.in_team and user.role in {Role.TEAM_LEADER, Role.MDT_CHAIR, Role.MANAGER}:
        items.append(("Sharing agreements", reverse("sharing:register")))
    if user.team_id and user.role in {Role.MANAGER, Role.ADMIN}:
        items.append(("Quarterly returns", reverse("returns:index")))
    if user.in_team and user.role == Role.MANAGER:
        items.append(("Retention", reverse("rights:retention")))
    if user.can_read_audit:
        items.append(("Access logs", reverse("audit:index")))
    if user.role == Role.ADMIN and user.is_staff:
        items.append(("Admin", reverse("admin:index")))
    return {"nav_items": items}
