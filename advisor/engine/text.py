"""Number formatting for client-facing sentences."""

from __future__ import annotations

import math

# A cost that was not computed (no API price for the task, no volume to cost).
NOT_COSTED = "\u2014"


def usd(amount: float | None, *, cents: bool = False) -> str:
    """$1,964 for large sums, $99.00 for medium ones, $0.0025 or $0.001 for small ones.

    With ``cents``, as cost tables show sums, small ones are rounded to the cent too
    ($0.00). None is a dash.
    """
    if amount is None:
        return NOT_COSTED
    amount = float(amount)
    if amount >= 100:
        return f"${amount:,.0f}"
    if cents or amount >= 1:
        return f"${amount:,.2f}"
    if amount < 1e-9:  # rounds to nothing at the precision anyone reads
        return "$0"
    # Two significant figures, never scientific notation, at least cents.
    decimals = max(2, 1 - math.floor(math.log10(amount)))
    text = f"{amount:.{decimals}f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"${whole}.{fraction.ljust(2, '0')}"


def count(number: int) -> str:
    return f"{number:,}"


def plural(number: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(1, "GPU")`` -> ``1 GPU``; ``plural(3, "GPU")`` -> ``3 GPUs``."""
    word = singular if number == 1 else (plural_form or singular + "s")
    return f"{number:,} {word}"


def percent(share: float) -> str:
    return f"{share:.0%}"
