"""Reads on referrals: the triage queue, possible matches and the overview."""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher

from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from caseload.models import Person
from referrals.models import Referral
from smd.characteristics import Ethnicity, Gender
from smd.models import Sector


def triage_queue(user):
    """Referrals waiting for a decision in the user's team, oldest first."""
    return (
        Referral.objects.visible_to(user)
        .awaiting_decision()
        .select_related("referrer_organisation")
        .order_by("created_at")
    )


def home_figures(user):
    """The home page's count of referrals waiting for a decision, for those who triage."""
    return {"waiting": triage_queue(user).count()} if user.can_triage else {}


def person_referrals(user):
    """The person page's referrals: only those this user may see. A peer mentor sees the
    person, not who referred them or why (ADR 0003). Registered with caseload.selectors by
    ReferralsConfig.ready()."""
    return Prefetch(
        "referrals",
        queryset=Referral.objects.visible_to(user).select_related("referrer_organisation"),
    )


# --- possible matches -------------------------------------------------------------------------

MATCH_THRESHOLD = 35


def normalise_name(name):
    """Lower case, no accents, letters and single spaces only: "O'Brien-Smith" -> "obrien smith"."""
    name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z\s-]", "", name.lower()).replace("-", " ")
    return " ".join(name.split())


def _name_similarity(a, b):
    a, b = normalise_name(a), normalise_name(b)
    if not a or not b:
        return 0.0
    # Compare in both word orders so "Smith Peggy" matches "Peggy Smith".
    flipped = " ".join(reversed(b.split()))
    return max(SequenceMatcher(None, a, b).ratio(), SequenceMatcher(None, a, flipped).ratio())


def _swapped(dob):
    if dob is None or dob.day > 12 or dob.day == dob.month:
        return None
    return date(dob.year, dob.day, dob.month)


@dataclass
class Match:
    person: Person
    score: int
    reasons: list = field(default_factory=list)


def match_score(incoming, person):
    """How far `person` may be the one `incoming` describes (anything with first_name,
    last_name, known_as, nhs_number and date_of_birth: a referral, an imported row): a Match
    at or above the threshold, or None. The one scoring rule for triage and the importer."""
    dob, swapped = incoming.date_of_birth, _swapped(incoming.date_of_birth)
    given = [n for n in {incoming.first_name, incoming.known_as} if n]
    incoming_names = [f"{n} {incoming.last_name}" for n in given]
    score, reasons = 0, []
    if incoming.nhs_number and person.nhs_number == incoming.nhs_number:
        score += 60
        reasons.append("same NHS number")
    if dob and person.date_of_birth == dob:
        score += 30
        reasons.append("same date of birth")
    elif swapped and person.date_of_birth == swapped:
        score += 25
        reasons.append("date of birth with day and month swapped")
    similarity, best = 0.0, ""
    for theirs in person.all_names():
        for ours in incoming_names:
            s = _name_similarity(ours, theirs)
            if s > similarity:
                similarity, best = s, theirs
    if similarity >= 0.75:
        score += round(40 * similarity)
        reasons.append("same name" if similarity == 1 else f"similar name ({best})")
    if score >= MATCH_THRESHOLD:
        return Match(person=person, score=min(score, 100), reasons=reasons)
    return None


def possible_matches(referral, limit=5):
    """People in the referral's team who may be the person referred, best first.

    Candidates come from the database by NHS number, date of birth (as given or with day and
    month swapped, a common slip) or an exact surname / first name / known-as name; each is then
    scored on name similarity across every name either side knows. A person decides.
    """
    dob, swapped = referral.date_of_birth, _swapped(referral.date_of_birth)
    given = [n for n in {referral.first_name, referral.known_as} if n]
    query = Q(last_name__iexact=referral.last_name) | Q(aliases__name__icontains=referral.last_name)
    for name in given:
        query |= Q(first_name__iexact=name) | Q(known_as__iexact=name)
    if referral.nhs_number:
        query |= Q(nhs_number=referral.nhs_number)
    if dob:
        query |= Q(date_of_birth__in=[d for d in (dob, swapped) if d])
    # Strong identifiers first, so a common surname never crowds out an NHS number or
    # birth-date match when the candidate list is cut.
    strong = Q(pk__in=[])
    if referral.nhs_number:
        strong |= Q(nhs_number=referral.nhs_number)
    if dob:
        strong |= Q(date_of_birth__in=[d for d in (dob, swapped) if d])
    candidates = (
        Person.objects.filter(team_id=referral.team_id)
        .filter(query)
        .annotate(strong=Case(When(strong, then=0), default=1))
        .order_by("strong", "last_name")
        .distinct()
        .prefetch_related("aliases")[:200]
    )

    matches = [m for m in (match_score(referral, person) for person in candidates) if m]
    matches.sort(key=lambda m: (-m.score, m.person.last_name))
    return matches[:limit]


# --- the overview -----------------------------------------------------------------------------


def _months(year):
    return [date(year + (m > 12), (m - 1) % 12 + 1, 1) for m in range(4, 16)]


NOT_RECORDED = "Not recorded"


@dataclass
class OverviewTable:
    title: str
    columns: list
    rows: list  # (label, [counts per column], total)
    totals: list
    grand_total: int


def _table(title, column_keys, column_labels, counts):
    rows = []
    for label in sorted(counts, key=lambda lbl: (lbl == NOT_RECORDED, lbl)):
        cells = [counts[label].get(col, 0) for col in column_keys]
        rows.append((label, cells, sum(cells)))
    totals = [sum(r[1][i] for r in rows) for i in range(len(column_keys))]
    return OverviewTable(title, column_labels, rows, totals, sum(totals))


def referral_overview(user, year, by="month"):
    """Referrals received in a financial year, counted by month or quarter across five splits:
    source organisation, sector, decision, gender and ethnicity. One aggregate query.

    Gender and ethnicity come from the linked person's record when there is one, otherwise from
    the referral; a referral that recorded neither counts as "Not recorded".
    """
    months = _months(year)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime(year, 4, 1), tz)
    end = timezone.make_aware(datetime(year + 1, 4, 1), tz)
    rows = (
        Referral.objects.visible_to(user)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(
            month=TruncMonth("created_at", tzinfo=tz),
            g=Coalesce("person__gender", "gender", output_field=Referral._meta.get_field("gender")),
            e=Coalesce(
                "person__ethnicity", "ethnicity", output_field=Referral._meta.get_field("ethnicity")
            ),
            org=Coalesce("referrer_organisation__name", "referrer_organisation_name"),
            sector=Coalesce("referrer_organisation__sector", Value("")),
        )
        .values("month", "is_self_referral", "org", "sector", "status", "g", "e")
        .annotate(n=Count("id"))
        .order_by()
    )

    if by == "quarter":
        column_keys = [1, 2, 3, 4]
        column_labels = ["Q1 Apr–Jun", "Q2 Jul–Sep", "Q3 Oct–Dec", "Q4 Jan–Mar"]

        def column(month):
            return months.index(month) // 3 + 1
    else:
        column_keys = months
        column_labels = [m.strftime("%b %Y") for m in months]

        def column(month):
            return month

    sectors = dict(Sector.choices)
    genders = dict(Gender.choices)
    ethnicities = dict(Ethnicity.choices)
    statuses = dict(Referral.Status.choices)
    splits = {
        k: defaultdict(lambda: defaultdict(int)) for k in ("org", "sector", "status", "g", "e")
    }
    for row in rows:
        month = row["month"]
        if hasattr(month, "date"):
            month = month.date()
        col = column(month)
        if row["is_self_referral"]:
            org = sector = "Self-referral"
        else:
            org = row["org"] or NOT_RECORDED
            sector = sectors.get(row["sector"], NOT_RECORDED)
        splits["org"][org][col] += row["n"]
        splits["sector"][sector][col] += row["n"]
        splits["status"][statuses[row["status"]]][col] += row["n"]
        splits["g"][genders.get(row["g"], NOT_RECORDED)][col] += row["n"]
        splits["e"][ethnicities.get(row["e"], NOT_RECORDED)][col] += row["n"]

    titles = {
        "org": "By source organisation",
        "sector": "By sector",
        "status": "By decision",
        "g": "By gender",
        "e": "By ethnicity",
    }
    return [_table(titles[k], column_keys, column_labels, splits[k]) for k in titles]


# --- equity -----------------------------------------------------------------------------------


def domestic_abuse_survivor_ids(people):
    """The people (a queryset or ids) whose referral into the team recorded domestic abuse, as a
    victim or survivor, as a subquery of their ids (`pk__in=`): the survivor split of the MDT
    figures and the return."""
    return Referral.objects.filter(person__in=people, domestic_abuse=True).values("person_id")


def domestic_abuse_survivors(people):
    """Ids of the survivors among the people (`domestic_abuse_survivor_ids`), as a set."""
    return set(domestic_abuse_survivor_ids(people).values_list("person_id", flat=True))
