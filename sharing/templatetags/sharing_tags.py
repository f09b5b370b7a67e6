from html import escape

from django import template
from django.utils.safestring import mark_safe

from sharing.selectors import person_sharing
from smd.links import id_url
from smd.markup import day, shown

register = template.Library()


@register.inclusion_tag("sharing/person_panel.html", takes_context=True)
def sharing_panel(context, person):
    """Consent and sharing on the person page: the lawful basis for the record and the sharing
    agreements, in force and past. Team staff change them; a peer mentor reads. Two queries."""
    user = context["request"].user
    return {
        "person": person,
        "can_change": user.in_team,
        "can_attach": user.can_upload_documents,
        **person_sharing(person, user),
    }


# The agreements in force, as list items. A person may have a score of them; through the
# template engine they were the largest part of the sharing card (docs/performance.md).
# Written here, byte for byte what the template gave (ADR 0047, as ADR 0040's rows).
@register.simple_tag(takes_context=True)
def agreements_in_force(context, agreements, person, can_attach, can_change, upload_url):
    rows = []
    for a in agreements:
        organisation = shown(a.organisation, context)
        if a.how_recorded == "without_agreement":
            how = f"Without agreement: {shown(a.lawful_basis_reason, context)}"
        else:
            how = shown(a.get_how_recorded_display(), context)
        attach = (
            f'<a class="small" href="{shown(upload_url, context)}?agreement='
            f'{shown(a.pk, context)}">Attach the signed form'
            f'<span class="visually-hidden"> for {organisation}</span></a>'
            if can_attach
            else ""
        )
        change = ""
        if can_change:
            withdraw = escape(id_url("sharing:agreement_withdraw", person.pk, a.pk))
            change = (
                f'{" · " if can_attach else ""}<a class="small" href="{withdraw}">Withdraw'
                f'<span class="visually-hidden"> sharing with {organisation}</span></a>'
            )
        recorded = day(a.recorded_at, "j M Y", context)
        review = day(a.expires_on, "j M Y", context)
        purpose = shown(a.get_purpose_display(), context)
        rows.append(
            '\n        <li class="border-start border-3 border-success ps-2 mb-2">'
            f"\n          <strong>{organisation}</strong> · {purpose}"
            f'\n          <div class="small text-body-secondary">{how} · {recorded}'
            f" by {shown(a.recorded_by, context)} · review by {review}</div>"
            f"\n          {attach}\n          {change}\n        </li>\n      "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
