from html import escape

from django import template
from django.utils.safestring import mark_safe

from documents.selectors import case_documents, person_documents
from smd.links import id_url
from smd.markup import day, shown

register = template.Library()


@register.inclusion_tag("documents/panels.html#person_panel", takes_context=True)
def documents_panel(context, person):
    """The person's documents on their page: opened by whoever may see the person; uploaded by
    those who may (a peer mentor for their own people); removed by team leaders. One query."""
    user = context["request"].user
    return {
        "person": person,
        "documents": person_documents(person, user),
        "can_upload": user.can_upload_documents,
        "can_remove": user.can_remove_documents,
    }


@register.inclusion_tag("documents/panels.html#case_panel", takes_context=True)
def case_documents_panel(context, item):
    """The documents an MDT case shows: those marked shareable with the MDT, to a partner only
    while the case itself is theirs to see. One query."""
    return {"documents": case_documents(item, context["request"].user)}


# The person page's documents, as list items: four links a document, each a URL reversed, and
# a dozen values. Written here, byte for byte what the template gave (ADR 0047, as ADR 0040's
# rows); the URLs through smd.links.id_url, each pattern reversed once per process.
@register.simple_tag(takes_context=True)
def document_rows(context, documents, person, can_upload, can_remove):
    rows = []
    for d in documents:
        title = shown(d.title, context)
        shareable = (
            ' · <span class="badge text-bg-info">Shareable with the MDT</span>'
            if d.shareable_with_mdt
            else ""
        )
        upload = ""
        if can_upload:
            edit = escape(id_url("documents:edit", d.pk))
            new = escape(id_url("documents:upload", person.pk))
            upload = (
                f'<a class="small" href="{edit}">Change details<span class="visually-hidden">'
                f' of {title}</span></a> · <a class="small" href="{new}?replaces='
                f'{shown(d.pk, context)}">Upload a new version<span class="visually-hidden">'
                f" of {title}</span></a>"
            )
        remove = ""
        if can_remove:
            remove = (
                f' · <a class="small" href="{escape(id_url("documents:remove", d.pk))}">Remove'
                f'<span class="visually-hidden"> {title}</span></a>'
            )
        rows.append(
            '\n        <li class="mb-2 text-break">\n          <a href="'
            f'{escape(id_url("documents:download", d.pk))}">{title}</a>'
            f'\n          <div class="small text-body-secondary">'
            f"{shown(d.get_kind_display(), context)} · {day(d.dated, 'j M Y', context)}"
            f" · uploaded by {shown(d.uploaded_by, context)}{shareable}</div>"
            f"\n          {upload}\n          {remove}\n        </li>\n      "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
