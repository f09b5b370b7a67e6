"""How each URL is audited. Every named URL is either in AUDITED or in NOT_AUDITED (with the
reason), and tests/audit/test_middleware.py fails for one that is in neither: a new page about
people cannot be added without deciding how its use is logged (ADR 0015)."""

from typing import NamedTuple

from smd.audit.models import AuditAction


class Audited(NamedTuple):
    """`person`: the URL argument holding the person's id, or None when the view resolves the
    person itself and says so (`audit_person(request, person)`). `obj`: the URL argument and
    model of the record within, if any. `get`/`post`: what a successful GET or POST is."""

    description: str
    person: str | None = "pk"
    obj: tuple[str, str] | None = None
    get: str = AuditAction.VIEW
    post: str = AuditAction.CHANGE


CONTACT = ("contact_pk", "caseload.contact")
GOAL = ("goal_pk", "caseload.goal")
ASSESSMENT = ("pk", "assessments.assessment")
ITEM = ("pk", "mdt.agendaitem")
MEETING = ("pk", "mdt.mdtmeeting")
REFERRAL = ("pk", "referrals.referral")
RETURN = ("pk", "returns.quarterlyreturn")
EXTRACT = ("pk", "returns.evaluationextract")
DOCUMENT = ("pk", "documents.document")
APPOINTMENT = ("pk", "appointments.appointment")
MARAC = ("pk", "domestic_abuse.maracreferral")
IMPORT_RUN = ("pk", "importer.importrun")
HELD_PERSON = ("pk", "importer.heldperson")
CREATE = AuditAction.CREATE

AUDITED = {
    # The person's record and timeline (caseload).
    "caseload:person_detail": Audited("Person page and timeline"),
    "caseload:person_edit": Audited("Personal details"),
    "caseload:allocate": Audited("Allocation"),
    "caseload:episode_change": Audited("Support status"),
    "caseload:contact_new": Audited("New contact", post=CREATE),
    "caseload:contact_detail": Audited("Contact", obj=CONTACT),
    "caseload:contact_edit": Audited("Contact correction", obj=CONTACT),
    "caseload:follow_up_done": Audited("Contact follow-up done", obj=CONTACT),
    # Support plan and outcomes.
    "caseload:plan": Audited("Support plan"),
    "caseload:plan_pdf": Audited("Support plan PDF", get=AuditAction.EXPORT),
    "caseload:goal_new": Audited("New goal", post=CREATE),
    "caseload:goal_edit": Audited("Goal", obj=GOAL),
    "caseload:goal_review": Audited("Goal review", obj=GOAL, post=CREATE),
    "caseload:events": Audited("Crisis and service events"),
    "caseload:event_new": Audited("New event", post=CREATE),
    "caseload:accommodation": Audited("Accommodation"),
    "caseload:budget": Audited("Personal budget"),
    "caseload:stars": Audited("Outcomes Star"),
    # Assessments.
    "assessments:history": Audited("NDT assessments", person="person_pk"),
    "assessments:new": Audited("New NDT assessment", person="person_pk", post=CREATE),
    "assessments:detail": Audited("NDT assessment", person="person_pk", obj=ASSESSMENT),
    "assessments:edit": Audited("NDT assessment", person="person_pk", obj=ASSESSMENT),
    "reqol:history": Audited("ReQoL-10", person="person_pk"),
    "reqol:new": Audited("New ReQoL-10", person="person_pk", post=CREATE),
    # Domestic abuse: the DASH checklist and MARAC referrals.
    "domestic_abuse:overview": Audited("Domestic abuse: DASH and MARAC", person="person_pk"),
    "domestic_abuse:checklist_new": Audited("New DASH checklist", person="person_pk", post=CREATE),
    "domestic_abuse:marac_new": Audited("New MARAC referral", person="person_pk", post=CREATE),
    "domestic_abuse:marac_edit": Audited("MARAC referral", person="person_pk", obj=MARAC),
    "domestic_abuse:marac_action_new": Audited(
        "New MARAC action", person="person_pk", obj=MARAC, post=CREATE
    ),
    "domestic_abuse:marac_action_update": Audited(
        "MARAC action", person="person_pk", obj=("pk", "domestic_abuse.maracaction")
    ),
    # MDT: the case record of one person, and the meeting pages that show several.
    "mdt:referral_new": Audited("MDT referral", person="person_pk", post=CREATE),
    "mdt:case": Audited("MDT case record", person=None, obj=ITEM),
    "mdt:case_notes": Audited("MDT case notes", person=None, obj=ITEM),
    "mdt:action_add": Audited("MDT action", person=None, obj=ITEM, post=CREATE),
    "mdt:action_update": Audited("MDT action", person=None, obj=("pk", "mdt.action")),
    "mdt:agenda_add": Audited("MDT agenda: person added", person=None, obj=MEETING),
    "mdt:agenda_move": Audited("MDT agenda: order", person=None, obj=ITEM),
    "mdt:agenda_remove": Audited("MDT agenda: person removed", person=None, obj=ITEM),
    "mdt:meeting": Audited("MDT meeting and agenda", person=None, obj=MEETING),
    "mdt:live": Audited("MDT meeting in progress", person=None, obj=MEETING),
    "mdt:minutes": Audited("MDT minutes", person=None, obj=MEETING),
    "mdt:minutes_pdf": Audited("MDT minutes PDF", person=None, obj=MEETING, get=AuditAction.EXPORT),
    # Referrals: about a person, linked to a record once triaged.
    "referrals:detail": Audited("Referral", person=None, obj=REFERRAL),
    "referrals:link": Audited("Referral linked to a record", person=None, obj=REFERRAL),
    "referrals:new_person": Audited("Record made from a referral", person=None, obj=REFERRAL),
    "referrals:decide": Audited("Eligibility decision", person=None, obj=REFERRAL),
    # Quarterly returns: the people behind a figure, and every download of a return.
    "returns:people": Audited("People behind a return figure", person=None),
    "returns:download_pdf": Audited("Quarterly return PDF", None, RETURN, AuditAction.DOWNLOAD),
    "returns:download_csv": Audited("Quarterly return CSV", None, RETURN, AuditAction.DOWNLOAD),
    # The evaluation extract holds a row per person (pseudonymised): each request, each
    # request to build a failed one again, and each download is logged. The request names the
    # extract it made (the view says which, audit_person).
    "returns:extract_generate": Audited("Evaluation extract requested", person=None, post=CREATE),
    "returns:extract_retry": Audited("Evaluation extract requested again", None, EXTRACT),
    "returns:extract_download": Audited(
        "Evaluation extract CSV", None, EXTRACT, AuditAction.DOWNLOAD
    ),
    # The audit pages themselves: looking at who saw a record is itself logged.
    "audit:person": Audited("Access log of a person", person="person_pk"),
    "audit:person_csv": Audited(
        "Access log of a person (CSV)", "person_pk", get=AuditAction.EXPORT
    ),
    "audit:user": Audited("Access log of a staff member", None, ("user_pk", "smd.user")),
    "audit:user_csv": Audited(
        "Access log of a staff member (CSV)", None, ("user_pk", "smd.user"), get=AuditAction.EXPORT
    ),
    "audit:history": Audited("Record history", person="person_pk"),
    # A person's rights: opening the export page is a view; each file made is written by its
    # service (person_export_file, saying JSON or PDF), so the middleware adds no second entry
    # for it (audit_recorded), but a refusal is logged here like any other.
    "rights:export": Audited(
        "Subject access export", get=AuditAction.VIEW, post=AuditAction.EXPORT
    ),
    # Consent and sharing on the person's record.
    "sharing:lawful_basis": Audited("Lawful basis", person="person_pk"),
    "sharing:agreement_new": Audited("New sharing agreement", person="person_pk", post=CREATE),
    "sharing:agreement_withdraw": Audited(
        "Sharing agreement withdrawn", person="person_pk", obj=("pk", "sharing.sharingagreement")
    ),
    # Importing a previous system's records: each file sent and imported, and each held
    # person's decision (the person it is about named by the view).
    "importer:index": Audited("Import records", person=None, post=CREATE),
    "importer:confirm": Audited("Records imported", person=None, obj=IMPORT_RUN, post=CREATE),
    "importer:held": Audited("Held incoming people", person=None),
    "importer:decide": Audited("Held incoming person decided", person=None, obj=HELD_PERSON),
    # Documents: the file itself is a download, whoever opens it (a partner at the MDT too).
    "documents:upload": Audited("New document", person="person_pk", post=CREATE),
    "documents:download": Audited("Document", person=None, obj=DOCUMENT, get=AuditAction.DOWNLOAD),
    "documents:edit": Audited("Document details", person=None, obj=DOCUMENT),
    "documents:remove": Audited("Document removed", person=None, obj=DOCUMENT),
    # Appointments: the person is resolved by the view (audit_person).
    "appointments:new": Audited("New appointment", person="person_pk", post=CREATE),
    "appointments:detail": Audited("Appointment", person=None, obj=APPOINTMENT),
    "appointments:edit": Audited("Appointment changed", person=None, obj=APPOINTMENT),
    "appointments:cancel": Audited("Appointment cancelled", person=None, obj=APPOINTMENT),
    "appointments:attended": Audited(
        "Appointment logged as a contact", person=None, obj=APPOINTMENT, post=CREATE
    ),
    "appointments:not_attended": Audited("Appointment not attended", person=None, obj=APPOINTMENT),
    # API tokens: making one (identifiable ones carry their lawful basis) and revoking one.
    "api:token_new": Audited("API token made", person=None, post=CREATE),
    "api:token_revoke": Audited("API token revoked", person=None, obj=("pk", "api.apitoken")),
    # The phone app (ADR 0033): a contact sent from the phone's queue is a contact made; the
    # caseload a phone keeps for use without a signal leaves the server, so it is an export.
    "offline:contact_send": Audited("New contact, sent from the phone", post=CREATE),
    "offline:appointment_attended": Audited(
        "Appointment logged as a contact, sent from the phone",
        person=None,
        obj=APPOINTMENT,
        post=CREATE,
    ),
    "offline:appointment_not_attended": Audited(
        "Appointment not attended, sent from the phone", person=None, obj=APPOINTMENT
    ),
    "offline:caseload_data": Audited(
        "My caseload kept on the phone", person=None, get=AuditAction.EXPORT
    ),
}

# The API's calls answer to a token, not a signed-in user: each writes its own entry, named by
# the token's system (api.auth.audit_call), so the middleware logs none of them.
API_CALL = "every call writes its own entry as the token's system (api.auth.audit_call)"

NOT_AUDITED = {
    # The user's own notifications: references and links, no person's details.
    "notifications:list": "the user's own notifications: references and links, no person",
    "notifications:read": "marks one of the user's own notifications read",
    "notifications:read_all": "marks the user's own notifications read",
    "notifications:preferences": "the user's own email choices, no person",
    "home": "dashboard counts and links, no record",
    "healthz": "no data",
    "login": "no data",
    "logout": "no data",
    "referrals:public": "the public form: what the referrer types, nothing read back",
    "referrals:public_done": "no data",
    "referrals:new": "an empty form; the referral made is a new record, not someone's history",
    "referrals:triage": "a list of names; opening one is logged (referrals:detail)",
    "referrals:overview": "counts",
    "caseload:person_list": "a list of names; opening one is logged",
    "caseload:my_caseload": "a list of names; opening one is logged",
    "caseload:team_capacity": "staff caseload counts",
    "caseload:plan_targets": "the delivery plan's yearly targets, no person",
    "mdt:meetings": "a list of meetings",
    "mdt:meeting_new": "an empty form",
    "mdt:my_actions": "a list of actions; opening the case is logged",
    "mdt:agenda_share": "sends the agenda; the meeting page is logged",
    "mdt:attendance": "who attended: staff, not people supported",
    "mdt:start": "meeting state",
    "mdt:finish": "meeting state",
    "mdt:owners": "names of staff and invited members who may own an action: not people supported",
    "returns:index": "aggregate figures",
    "returns:live": "aggregate figures, small numbers suppressed",
    "returns:generate": "starts a build; the download is logged",
    "returns:status": "build progress",
    "returns:sign_off": "sign-off of aggregate figures",
    "returns:retry": "starts a failed build again; the download is logged",
    "returns:extract": "a list of extracts and who asked for them; no person",
    "returns:extract_status": "build progress",
    "audit:index": "a search form",
    "profile": "the signed-in user's own account",
    "password_change": "the user's own password; a change is logged by account_change_record",
    "password_confirm": "the user's own password, given again; no person",
    "two_factor:verify": "signing in: the user's own second factor, no person",
    "two_factor:setup": "signing in: the user's own second factor, no person",
    "two_factor:backup_codes": "the user's own backup codes, no person",
    "admin_login": "sends to the sign-in page",
    "sharing:register": "agreements between organisations, no person",
    "sharing:dsa_new": "an agreement between organisations, no person",
    "sharing:dsa_edit": "an agreement between organisations, no person",
    # A person's rights (rights): the services write their own entries, one per file made
    # (export, saying JSON or PDF) and one per person erased (erase), which a POST watched here
    # would log a second time as a change.
    "rights:retention": "names due for erasure, to confirm; each erasure writes its own entry",
    "rights:retention_erase": "each person erased writes its own entry (person_erase)",
    "appointments:calendar": "the user's own feed address, no person",
    # Fetched without a session: the view writes its own entry for the feed's owner, without
    # the path, which holds the secret.
    "appointments:feed": "the view writes its own entry (audit_record), naming the feed's owner",
    "api:tokens": "the team's API tokens: systems, no person",
    "api:schema": "the API's description, no data",
    "api:docs": "the API's description, no data",
    "api:people": API_CALL,
    "api:person": API_CALL,
    "api:episodes": API_CALL,
    "api:contacts": API_CALL,
    "api:assessments": API_CALL,
    "api:reqol": API_CALL,
    "api:crisis_events": API_CALL,
    "api:referrals": API_CALL,
    "api:allocations": API_CALL,
    "api:accommodation": API_CALL,
    "api:mdt_figures": API_CALL,
    "api:returns": API_CALL,
    # The phone app (ADR 0033).
    "service_worker": "the app's script, no data",
    "manifest": "the app's name and icons, no data",
    "offline:offline": "a page saying there is no signal, no data",
    "offline:caseload_shell": "My caseload's empty frame, no names",
    "offline:key": "the user's own device key, no person",
    "importer:run": "a file's progress and its problems by row and column; importing it is logged",
}
