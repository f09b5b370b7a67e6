"""`{% id_url "app:view" record.pk other.pk %}`: `{% url %}` for record ids, reversed once
per process (smd.links)."""

from django import template

from smd.links import id_url as _id_url

register = template.Library()


@register.simple_tag
def id_url(viewname, *ids):
    return _id_url(viewname, *ids)
