from django import template

from sharing.selectors import person_sharing

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
