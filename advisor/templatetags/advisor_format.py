"""Template filters for the advisor's answers: costs in dollars and path labels."""

from django import template

from advisor.engine import text
from advisor.enums import PATH_LABELS

register = template.Library()


@register.filter
def usd(value) -> str:
    """A cost as the result page, the summary email and the admin show it."""
    return text.usd(value, cents=True)


@register.filter
def path_label(value: str) -> str:
    return PATH_LABELS.get(value, value)
