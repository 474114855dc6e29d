"""Template filters for the advisor's answers: costs in dollars and path labels."""

from django import template

from advisor import selectors
from advisor.engine import text

register = template.Library()


@register.filter
def usd(value) -> str:
    """A cost as the result page, the summary email and the admin show it."""
    return text.usd(value, cents=True)


path_label = register.filter("path_label", selectors.path_label)
