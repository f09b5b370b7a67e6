"""Who may do what, written once: the roles, each permission as the roles that hold it, and the
view decorator and the navigation made from those names.

`User` has every permission as a property (`request.user.can_triage`, `{% if
user.can_triage %}`); views are guarded with `@requires("can_triage")`; the navigation lists a
page for whoever holds the permission its view asks for; `tests/test_access.py` checks every
URL for every role against the same names. Which records a user may see is the other half of
access: the `visible_to` querysets, which read these permissions too (ADR 0003).
"""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse


class Role(models.TextChoices):
    NAVIGATOR = "navigator", "Navigator"
    PEER_MENTOR = "peer_mentor", "Peer mentor"
    TEAM_LEADER = "team_leader", "Team leader"
    MDT_CHAIR = "mdt_chair", "MDT chair"
    MDT_MEMBER = "mdt_member", "MDT member"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


# Roles that work inside a team and share its person records. Peer mentors see only the
# people allocated to them; MDT members only what an MDT grants; admins manage users and
# organisations and see no person data at all (least privilege).
TEAM_ROLES = frozenset({Role.NAVIGATOR, Role.TEAM_LEADER, Role.MDT_CHAIR, Role.MANAGER})


@dataclass(frozen=True)
class Permission:
    """Held by an active user whose role is one of `roles` and who belongs to a team; by one of
    `anywhere` with or without a team; and, with `staff`, only with Django's staff flag."""

    doc: str
    roles: frozenset = frozenset()
    anywhere: frozenset = frozenset()
    staff: bool = False

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "anywhere", frozenset(self.anywhere))

    def __call__(self, user):
        if not user.is_active or (self.staff and not user.is_staff):
            return False
        return user.role in self.anywhere or (user.role in self.roles and user.team_id is not None)


PERMISSIONS = {
    # People and their support.
    "in_team": Permission("Team staff: their team's people, referrals and MDT.", TEAM_ROLES),
    "can_see_people": Permission(
        "The people list: team staff see the team's, a peer mentor the people allocated to them.",
        TEAM_ROLES | {Role.PEER_MENTOR},
    ),
    "sees_allocated_people_only": Permission(
        "A peer mentor: only the people currently allocated to them.", {Role.PEER_MENTOR}
    ),
    "holds_caseload": Permission(
        'Navigators and peer mentors have people allocated to them: "My caseload".',
        {Role.NAVIGATOR, Role.PEER_MENTOR},
    ),
    "can_log_contacts": Permission(
        "The roles that work with people day to day (a peer mentor only with their own).",
        {Role.NAVIGATOR, Role.PEER_MENTOR, Role.TEAM_LEADER},
    ),
    "can_allocate": Permission("Allocating workers and handing over.", {Role.TEAM_LEADER}),
    "can_change_episodes": Permission(
        "Pausing, resuming and closing support: the lead navigator's and the team leader's call.",
        {Role.NAVIGATOR, Role.TEAM_LEADER},
    ),
    "can_overrule": Permission(
        "The team leader's say over others' work: any contact or completed NDT corrected, any "
        "episode of the team paused or closed, a budget overspent (with a reason where asked).",
        {Role.TEAM_LEADER},
    ),
    "can_record_outcomes": Permission(
        "Goals, events, accommodation, personal budgets, ReQoL-10 and Outcomes Stars: the work "
        "of navigators and team leaders. MDT chairs and managers read them.",
        {Role.NAVIGATOR, Role.TEAM_LEADER},
    ),
    "can_record_with_person": Permission(
        "Goals, crisis events and accommodation changes are also recorded by a peer mentor, for "
        "the people allocated to them (the only people they can open).",
        {Role.NAVIGATOR, Role.TEAM_LEADER, Role.PEER_MENTOR},
    ),
    "can_see_team_capacity": Permission(
        "Team capacity and who waits.", {Role.TEAM_LEADER, Role.MANAGER}
    ),
    "can_set_plan_targets": Permission(
        "The delivery plan's yearly target of people supported: the manager's to enter.",
        {Role.MANAGER},
    ),
    # Domestic abuse.
    "can_assess_domestic_abuse": Permission(
        "The DASH risk checklist and MARAC referrals (and what the MARAC agreed): navigators and "
        "team leaders. Whoever may see the person reads them.",
        {Role.NAVIGATOR, Role.TEAM_LEADER},
    ),
    # Documents.
    "can_upload_documents": Permission(
        "Uploading a document to a person and changing its details: the roles that log contacts "
        "(a peer mentor only for their own people).",
        {Role.NAVIGATOR, Role.PEER_MENTOR, Role.TEAM_LEADER},
    ),
    "can_remove_documents": Permission(
        "Removing a document, with a reason (it stays in the record's history).",
        {Role.TEAM_LEADER},
    ),
    # Appointments and the calendar feed.
    "can_book_appointments": Permission(
        "Booking, changing and cancelling appointments with a person, and recording whether "
        "they happened: the roles that log contacts (a peer mentor only for their own people).",
        {Role.NAVIGATOR, Role.PEER_MENTOR, Role.TEAM_LEADER},
    ),
    "can_have_calendar_feed": Permission(
        "A personal calendar feed of one's appointments and what falls due: team staff and "
        "peer mentors.",
        TEAM_ROLES | {Role.PEER_MENTOR},
    ),
    # Referrals.
    "can_make_referrals": Permission("The staff referral form.", TEAM_ROLES | {Role.PEER_MENTOR}),
    "can_triage": Permission("The triage queue and eligibility decisions.", {Role.TEAM_LEADER}),
    "can_see_referral_overview": Permission(
        "The referral overview.", {Role.TEAM_LEADER, Role.MANAGER}
    ),
    # MDT and sharing.
    "can_use_mdt": Permission(
        "The MDT pages: team staff for their team's meetings, partner members for those they "
        "are invited to.",
        TEAM_ROLES,
        anywhere={Role.MDT_MEMBER},
    ),
    "is_mdt_partner": Permission(
        "A partner organisation's member: only the MDT cases an invitation and the person's "
        "sharing agreement allow, and the actions they own.",
        anywhere={Role.MDT_MEMBER},
    ),
    "can_plan_meetings": Permission(
        "Planning and running the team's MDT meetings.", {Role.MDT_CHAIR, Role.TEAM_LEADER}
    ),
    "can_read_register": Permission(
        "The register of data-sharing agreements: those who plan and run the work with partners.",
        {Role.TEAM_LEADER, Role.MDT_CHAIR, Role.MANAGER},
    ),
    "can_keep_register": Permission("Adding to and changing the register.", {Role.MANAGER}),
    # Governance.
    "can_make_returns": Permission("The team's quarterly returns.", {Role.MANAGER, Role.ADMIN}),
    "can_download_evaluation_extract": Permission(
        "The pseudonymised per-person evaluation extract: managers, answerable for what leaves "
        "the team (ADR 0032). Not admins, who see no person data.",
        {Role.MANAGER},
    ),
    "can_read_audit": Permission(
        "Who saw whose record, and what a staff member opened: managers, as the people "
        "answerable for information governance in their team (ADR 0015).",
        {Role.MANAGER},
    ),
    "can_see_record_history": Permission(
        "Earlier values of a person's record, who changed them and when.",
        {Role.TEAM_LEADER, Role.MANAGER},
    ),
    "can_handle_rights": Permission(
        "Subject access exports, the retention list and erasure: the team's data protection lead.",
        {Role.MANAGER},
    ),
    "can_issue_api_tokens": Permission(
        "Tokens for systems reading the team's records through the API (the insight hub): "
        "made, listed and revoked by managers, who answer for the lawful basis of any "
        "identifiable access (ADR 0031).",
        {Role.MANAGER},
    ),
    "can_import_records": Permission(
        "Importing records from a previous system, and deciding about the incoming people held "
        "as possible duplicates: the manager's, as the team's data lead.",
        {Role.MANAGER},
    ),
    "administers": Permission(
        "Users, organisations and teams; no person data.", anywhere={Role.ADMIN}
    ),
    "can_open_admin_site": Permission(
        "The link to the admin site. The site itself lets in any active staff user.",
        anywhere={Role.ADMIN},
        staff=True,
    ),
}

# Mixed into smd.models.User: each permission as a property, `user.can_triage`.
Permissions = type(
    "Permissions",
    (),
    {name: property(permission, doc=permission.doc) for name, permission in PERMISSIONS.items()},
)


def requires(permission):
    """403 for a signed-in user without `permission` (no person data involved)."""
    PERMISSIONS[permission]  # a misspelt name fails at import, not at the first request

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not getattr(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


# The menu: (label, URL name, permission), in order, each page under the permission its view
# asks for (People and MDT in two halves, named for each). A navigator's or peer mentor's home
# is their caseload, so "My caseload" comes first in place of "Home" (smd.views.home sends them
# there).
MENU = [
    ("Team capacity", "caseload:team_capacity", "can_see_team_capacity"),
    ("Triage", "referrals:triage", "can_triage"),
    ("People", "caseload:person_list", "in_team"),
    ("My people", "caseload:person_list", "sees_allocated_people_only"),
    ("MDT", "mdt:meetings", "in_team"),
    # A partner has nothing but the MDT: both of their pages are in the menu.
    ("MDT meetings", "mdt:meetings", "is_mdt_partner"),
    ("My MDT actions", "mdt:my_actions", "is_mdt_partner"),
    ("New referral", "referrals:new", "can_make_referrals"),
    ("Referral overview", "referrals:overview", "can_see_referral_overview"),
    ("Sharing agreements", "sharing:register", "can_read_register"),
    ("Quarterly returns", "returns:index", "can_make_returns"),
    ("Import records", "importer:index", "can_import_records"),
    ("Retention", "rights:retention", "can_handle_rights"),
    ("Access logs", "audit:index", "can_read_audit"),
    ("API tokens", "api:tokens", "can_issue_api_tokens"),
    ("Admin", "admin:index", "can_open_admin_site"),
]

# Pages with no record in their address that a user may open but the menu does not offer them,
# and where they are found instead (tests/test_access.py holds the menu to this).
OFF_MENU = {
    "home": "the site name at the top (those with a caseload are sent on from it)",
    "profile": "the user's name at the top",
    "password_change": "the profile page",
    "password_confirm": "asked for before a sensitive step",
    "two_factor:backup_codes": "the profile page",
    # Team staff reach their actions from the MDT page; partners have them in the menu.
    "mdt:my_actions": "the MDT page",
    "mdt:meeting_new": "the MDT page",
    "caseload:plan_targets": "the team capacity page",
    "sharing:dsa_new": "the register",
    "returns:live": "the quarterly returns page",
    "returns:people": "the return's figures",
    "importer:held": "the import records page",
    "returns:extract": "the quarterly returns page",
    "notifications:list": "the Notifications button in the top bar, with its count",
    "notifications:preferences": "the notifications page",
    "appointments:calendar": "the profile page and My caseload",
    "api:token_new": "the API tokens page",
    # The phone app (ADR 0033): fetched by My caseload's script, or kept for use without a signal.
    "offline:caseload_shell": "My caseload, in its place when there is no signal",
    "offline:caseload_data": "My caseload's script",
    "offline:key": "My caseload's script",
}


def menu_for(user):
    """The menu `user` sees: [(label, url)]."""
    home = ("My caseload", "caseload:my_caseload") if user.holds_caseload else ("Home", "home")
    shown = [home] + [
        (label, name) for label, name, permission in MENU if getattr(user, permission)
    ]
    return [(label, reverse(name)) for label, name in shown]
