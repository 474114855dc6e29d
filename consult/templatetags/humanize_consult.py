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


@register.filter
def usd(value) -> str:
    if value is None:
        return "—"
    value = float(value)
    if value >= 100:
        return f"${value:,.0f}"
    return f"${value:,.2f}"


PATH_LABELS = {
    "api": "Buy an API",
    "fine_tune": "Fine-tune a small model",
    "classical_ml": "Classical ML",
    "hybrid": "Hybrid",
}


@register.filter
def path_label(value: str) -> str:
    return PATH_LABELS.get(value, value)
