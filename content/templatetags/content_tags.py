"""Template tags for the report pages: how many decisions wait for the client."""

from django import template

from content.selectors import items_awaiting_client

register = template.Library()


@register.simple_tag
def content_awaiting_client_count() -> int:
    return items_awaiting_client().count()
