"""Two owners' updates to one MDT action: a progress note saved from an older page is refused,
with both notes shown and the typing kept (ADR 0023)."""

from django.urls import reverse
from django.utils import timezone

from mdt import services
from mdt.models import Action

REFUSED = "Someone else saved this record since you opened it"


def _action(meeting, item, chair, partner):
    services.agenda_share(meeting=meeting)
    return services.action_add(
        item=item,
        description="Share licence conditions",
        owner=partner,
        owner_organisation=partner.organisation,
        due_on=timezone.localdate(),
        by=chair,
    )


def _row_version(client, action):
    page = client.get(reverse("mdt:my_actions")).content.decode()
    marker = 'name="version" value="'
    start = page.index(marker, page.index(f'id="action-{action.pk}"')) + len(marker)
    return page[start : page.index('"', start)]


def test_stale_progress_note_is_refused_and_both_notes_are_shown(
    client_for, meeting, item, chair, partner
):
    action = _action(meeting, item, chair, partner)
    url = reverse("mdt:action_update", args=[action.pk])
    a, b = client_for(partner), client_for(chair)
    seen = _row_version(a, action)
    assert a.post(url, {"progress_note": "Asked the OM", "version": seen}).status_code == 302

    response = b.post(
        url, {"progress_note": "OM on leave", "version": seen}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert response.status_code == 400 and REFUSED in page
    assert "Asked the OM" in page and 'value="OM on leave"' in page
    rows = response.context["update_form"].conflict_rows
    assert rows == [{"label": "Progress note", "stored": "Asked the OM", "yours": "OM on leave"}]
    assert Action.objects.get(pk=action.pk).progress_note == "Asked the OM"


def test_stale_note_without_javascript_is_shown_on_a_page_not_lost(
    client_for, meeting, item, chair, partner
):
    action = _action(meeting, item, chair, partner)
    url = reverse("mdt:action_update", args=[action.pk])
    a = client_for(partner)
    seen = _row_version(a, action)
    a.post(url, {"done": "1", "version": seen})

    response = a.post(url, {"progress_note": "Written after", "version": seen})

    page = response.content.decode()
    assert response.status_code == 400 and REFUSED in page and 'value="Written after"' in page
    action.refresh_from_db()
    assert action.is_done and action.progress_note == ""
