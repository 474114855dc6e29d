"""Number filters for any page or email: thousands and durations, locale-free."""

from django import template

register = template.Library()


@register.filter
def thousands(value) -> str:
    """12345 -> "12,345" (no locale dependency, the same in emails and PDFs)."""
    if value is None or value == "":
        return ""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def duration_ms(value) -> str:
    if value is None:
        return ""
    value = int(value)
    if value < 1000:
        return f"{value} ms"
    seconds = value / 1000
    return f"{seconds:g} seconds" if seconds != 1 else "1 second"
