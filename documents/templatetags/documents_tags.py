from django import template

from documents.selectors import case_documents, person_documents

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
