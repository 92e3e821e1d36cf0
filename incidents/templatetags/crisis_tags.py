"""Template filters for the crisis pages."""

from django import template

register = template.Library()


@register.filter
def handle(value) -> str:
    """An author handle without its leading at-signs: sources send both "kopi" and "@kopi", and
    the page prints one "@" itself."""
    return str(value or "").lstrip("@")
