"""Template filters for the crisis pages."""

from django import template

from incidents.selectors_reviews import review_chart, review_list

register = template.Library()


@register.filter
def handle(value) -> str:
    """An author handle without its leading at-signs: sources send both "kopi" and "@kopi", and
    the page prints one "@" itself."""
    return str(value or "").lstrip("@")


@register.simple_tag
def reviews_awaiting_sign_off():
    """Reviews waiting for the client's sign-off, for the report pages' "waiting for you" list."""
    return list(review_list(for_client=True, state="awaiting_sign_off"))


@register.simple_tag
def review_chart_spec(review):
    """The review's before/during/after chart (incidents.selectors_reviews.review_chart), for a
    page that has the review but no view of its own to compute it (the brand admin's review)."""
    return review_chart(review=review) if review is not None else None
