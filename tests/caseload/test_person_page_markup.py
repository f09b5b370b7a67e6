"""The person page's timeline entries and sharing agreements, written in Python (ADR 0047),
are byte for byte what the templates they replaced wrote: hostile values escaped, every
branch of the markup, in more than one time zone."""

from datetime import timedelta

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone

from appointments.models import Appointment
from appointments.selectors import person_appointments
from caseload import services, timeline
from caseload.models import Allocation, ContactKind
from documents.models import Document
from sharing.models import HowRecorded, Purpose, SharingAgreement
from tests.factories import ContactFactory, OrganisationFactory, ReferralFactory

HOSTILE = 'O\'Brien & <Sons> "Housing" <script>alert(1)</script>'

# The templates as they were before the tags (templates/caseload/person_detail.html's timeline
# loop and templates/sharing/person_panel.html's agreements in force).
TIMELINE_LOOP = """{% load caseload_extras %}    {% for entry in timeline %}
      <li class="timeline-entry timeline-{{ entry.kind }}">
        {% if entry.date_only %}<time datetime="{{ entry.at|date:'Y-m-d' }}" class="small text-body-secondary">{{ entry.at|date:"D j M Y" }}</time>{% else %}<time datetime="{{ entry.at|date:'c' }}" class="small text-body-secondary">{{ entry.at|date:"D j M Y, H:i" }}</time>{% endif %}
        {% include entry.template with obj=entry.obj %}
      </li>
    {% empty %}
      <li>Nothing recorded{% if timeline_kind %} of this kind{% endif %} yet.</li>
    {% endfor %}
  </ol>"""
TIMELINE_TAG = """{% load caseload_extras %}    {% timeline_entries timeline timeline_kind %}
  </ol>"""

AGREEMENTS_LOOP = """{% load links %}      {% for a in in_force %}
        <li class="border-start border-3 border-success ps-2 mb-2">
          <strong>{{ a.organisation }}</strong> · {{ a.get_purpose_display }}
          <div class="small text-body-secondary">{% if a.how_recorded == "without_agreement" %}Without agreement: {{ a.lawful_basis_reason }}{% else %}{{ a.get_how_recorded_display }}{% endif %} · {{ a.recorded_at|date:"j M Y" }} by {{ a.recorded_by }} · review by {{ a.expires_on|date:"j M Y" }}</div>
          {% if can_attach %}<a class="small" href="{{ upload_url }}?agreement={{ a.pk }}">Attach the signed form<span class="visually-hidden"> for {{ a.organisation }}</span></a>{% endif %}
          {% if can_change %}{% if can_attach %} · {% endif %}<a class="small" href="{% id_url 'sharing:agreement_withdraw' person.pk a.pk %}">Withdraw<span class="visually-hidden"> sharing with {{ a.organisation }}</span></a>{% endif %}
        </li>
      {% endfor %}
    </ul>"""
DOCUMENTS_LOOP = """      {% for d in documents %}
        <li class="mb-2 text-break">
          <a href="{% url 'documents:download' d.pk %}">{{ d.title }}</a>
          <div class="small text-body-secondary">{{ d.get_kind_display }} · {{ d.dated|date:"j M Y" }} · uploaded by {{ d.uploaded_by }}{% if d.shareable_with_mdt %} · <span class="badge text-bg-info">Shareable with the MDT</span>{% endif %}</div>
          {% if can_upload %}<a class="small" href="{% url 'documents:edit' d.pk %}">Change details<span class="visually-hidden"> of {{ d.title }}</span></a> · <a class="small" href="{% url 'documents:upload' person.pk %}?replaces={{ d.pk }}">Upload a new version<span class="visually-hidden"> of {{ d.title }}</span></a>{% endif %}
          {% if can_remove %} · <a class="small" href="{% url 'documents:remove' d.pk %}">Remove<span class="visually-hidden"> {{ d.title }}</span></a>{% endif %}
        </li>
      {% endfor %}
    </ul>"""
DOCUMENTS_TAG = """{% load documents_tags %}      {% document_rows documents person can_upload can_remove %}
    </ul>"""
APPOINTMENTS_LOOP = """{% load partials %}      {% for a in appointments.upcoming %}
        <li class="mb-2 text-break"><a href="{% url 'appointments:detail' a.pk %}">{{ a.starts_at|date:"D j M Y, H:i" }}</a>
          <span class="d-block small text-body-secondary">{{ a.get_kind_display }} · {{ a.place }} · with {{ a.worker }}</span></li>
      {% endfor %}
|      {% for a in appointments.recent %}
        <li class="mb-1 text-break"><a href="{% url 'appointments:detail' a.pk %}">{{ a.starts_at|date:"j M Y, H:i" }}</a> · {% include "appointments/detail.html#status" with appointment=a %}</li>
      {% endfor %}
"""
APPOINTMENTS_TAG = """{% load appointments_tags %}      {% upcoming_rows appointments.upcoming %}
|      {% recent_rows appointments.recent %}
"""
AGREEMENTS_TAG = """{% load sharing_tags %}      {% agreements_in_force in_force person can_attach can_change upload_url %}
    </ul>"""


def _render(text, context, user):
    request = RequestFactory().get("/")
    request.user = user
    return engines["django"].from_string(text).render(context, request)


@pytest.fixture
def hostile_story(person, episode, navigator, team_leader, peer_mentor):
    """Contacts in every shape the entry has (agencies, topics, next actions due, done or not,
    edited, without the person, summaries of several lines), hostile text in each, and the
    other kinds of entry around them."""
    navigator.first_name, navigator.last_name = "Ann <b>", 'O\'Neil "&"'
    navigator.save()
    agencies = [OrganisationFactory(name=HOSTILE), OrganisationFactory(name="Acme & Co")]
    ReferralFactory(team=person.team, person=person, status="eligible")
    now = timezone.now()
    for n in range(14):
        contact = ContactFactory(
            person=person,
            author=navigator,
            occurred_at=now - timedelta(days=n * 17, hours=n),  # across the clock changes
            kind=list(ContactKind.values)[n % len(ContactKind.values)],
            duration_minutes=[5, 60, 75, 480][n % 4],
            with_person=n % 3 != 0,
            summary=f"Line one {HOSTILE}\nline two\r\n\nline three",
            topics=[["housing", "money"], [], ["unknown<x>"], ["safety"]][n % 4],
            follow_up_action=HOSTILE if n % 2 else "",
            follow_up_due=(timezone.localdate() + timedelta(days=n)) if n % 4 == 1 else None,
            follow_up_done_at=now if n % 5 == 1 else None,
            edited_at=now if n % 4 == 0 else None,
        )
        if n % 3 == 0:
            contact.agencies.set(agencies[: 1 + n % 2])
    services.allocation_create(
        episode=episode, worker=navigator, kind=Allocation.Kind.LEAD_NAVIGATOR, by=team_leader
    )
    return person


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kolkata"])
def test_timeline_entries_are_what_the_loop_and_its_templates_wrote(hostile_story, navigator, zone):
    with timezone.override(zone):
        for group in [None, "contacts", "support"]:
            for number in [1, 2]:
                page = timeline.timeline_page(hostile_story, navigator, group=group, number=number)
                for kind in ["", group or ""]:
                    context = {"timeline": page, "timeline_kind": kind}
                    ours = _render(TIMELINE_TAG, context, navigator)
                    assert ours == _render(TIMELINE_LOOP, context, navigator)
                    assert "<script>" not in ours
    page = timeline.timeline_page(hostile_story, navigator)
    written = _render(TIMELINE_TAG, {"timeline": page, "timeline_kind": ""}, navigator)
    for shown in ["without the person", "edited", "With: ", "Next action: ", " — done", "badge"]:
        assert shown in written


def test_an_empty_timeline_says_so_as_the_loop_did(person, navigator):
    page = timeline.timeline_page(person, navigator)
    for kind in ["", "contacts"]:
        context = {"timeline": page, "timeline_kind": kind}
        ours = _render(TIMELINE_TAG, context, navigator)
        assert ours == _render(TIMELINE_LOOP, context, navigator)
        assert "Nothing recorded" in ours


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Chatham"])
def test_agreements_in_force_are_what_the_loop_wrote(person, navigator, zone):
    navigator.first_name = '<i>Nadia</i> & "co"'
    navigator.save()
    today = timezone.localdate()
    for n, how in enumerate(HowRecorded.values):
        SharingAgreement.objects.create(
            person=person,
            organisation=OrganisationFactory(name=f"{HOSTILE} {n}"),
            purpose=[Purpose.MDT, Purpose.SERVICE_REFERRAL][n % 2],
            how_recorded=how,
            lawful_basis_reason=HOSTILE if how == HowRecorded.WITHOUT_AGREEMENT else "",
            expires_on=today + timedelta(days=30 * n),
            recorded_at=timezone.now() - timedelta(days=90 * n, hours=n),
            recorded_by=navigator,
        )
    in_force = list(SharingAgreement.objects.filter(person=person))
    with timezone.override(zone):
        for can_attach in [True, False]:
            for can_change in [True, False]:
                context = {
                    "in_force": in_force,
                    "person": person,
                    "can_attach": can_attach,
                    "can_change": can_change,
                }
                if can_attach:
                    context["upload_url"] = f"/people/{person.pk}/documents/new/?x=<&>"
                ours = _render(AGREEMENTS_TAG, context, navigator)
                assert ours == _render(AGREEMENTS_LOOP, context, navigator)
                assert "<script>" not in ours
                assert ("Withdraw" in ours) == can_change
                assert ("Attach the signed form" in ours) == can_attach


def test_documents_are_what_the_loop_wrote(person, navigator):
    navigator.last_name = '<O\'Neil & "co">'
    navigator.save()
    for n, kind in enumerate(["letter", "other", "letter"]):
        Document.objects.create(
            person=person,
            kind=kind,
            title=f"{HOSTILE} {n}",
            dated=timezone.localdate() - timedelta(days=200 * n),
            stored_name=f"test/{n}",
            content_type="application/pdf",
            extension=".pdf",
            size=1,
            uploaded_by=navigator,
            shareable_with_mdt=bool(n % 2),
        )
    documents = list(Document.objects.filter(person=person))
    for can_upload in [True, False]:
        for can_remove in [True, False]:
            context = {
                "documents": documents,
                "person": person,
                "can_upload": can_upload,
                "can_remove": can_remove,
            }
            ours = _render(DOCUMENTS_TAG, context, navigator)
            assert ours == _render(DOCUMENTS_LOOP, context, navigator)
            assert "<script>" not in ours
            assert ("Remove" in ours) == can_remove
            assert "Shareable with the MDT" in ours


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_appointments_are_what_the_loops_wrote(person, navigator, zone):
    navigator.first_name = '<i>Nadia</i> & "co"'
    navigator.save()
    now = timezone.now()
    for n, status in enumerate(["booked", "attended", "not_attended", "cancelled", "booked"]):
        for days in [-40 * n - 1, 3 * n + 1]:
            Appointment.objects.create(
                person=person,
                worker=navigator,
                booked_by=navigator,
                starts_at=now + timedelta(days=days, hours=n),
                kind="face_to_face",
                place=f"{HOSTILE} {n}",
                status=status if days < 0 else "booked",
                cancel_reason=HOSTILE if status == "cancelled" else "",
                contact=(
                    ContactFactory(person=person, author=navigator)
                    if status == "attended" and days < 0
                    else None
                ),
            )
    with timezone.override(zone):
        appointments = person_appointments(person, navigator)
        assert appointments.upcoming and appointments.recent
        context = {"appointments": appointments}
        ours = _render(APPOINTMENTS_TAG, context, navigator)
        assert ours == _render(APPOINTMENTS_LOOP, context, navigator)
        assert "<script>" not in ours
        for badge in ["Booked", "Attended", "Did not attend", "Cancelled"]:
            assert f">{badge}</span>" in ours
