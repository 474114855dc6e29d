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


def _two_figures(amount: float, direction: int = 0) -> float:
    """``amount`` to two significant figures: nearest, or down (-1) or up (+1)."""
    if amount <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(amount)) - 1)
    scaled = amount / step
    if direction < 0:
        rounded = math.floor(scaled + 1e-9)
    elif direction > 0:
        rounded = math.ceil(scaled - 1e-9)
    else:
        rounded = math.floor(scaled + 0.5)
    return float(rounded * step)


def approx_count(number: float, direction: int = 0) -> int:
    """A volume to two significant figures: 4,363,778 -> 4,400,000."""
    return round(_two_figures(number, direction)) if number >= 1 else round(number)


def approx(number: float) -> str:
    """``4,400,000`` as people read estimates: "4.4 million", "750,000", "12"."""
    value = approx_count(number)
    if value >= 100_000_000_000:
        return f"{value / 1e9:,.0f} billion"
    if value >= 1_000_000_000:
        return f"{value / 1e9:.2g} billion"
    if value >= 1_000_000:
        return f"{value / 1e6:.2g} million"
    return f"{value:,}"


def usd_approx(amount: float | None) -> str:
    """Money as an estimate, two significant figures: $2,100, $32, $4.30, $0.0026."""
    if amount is None:
        return NOT_COSTED
    amount = float(amount)
    if amount < 1e-9:
        return "$0"
    rounded = _two_figures(amount)
    if rounded >= 1_000_000_000:
        return (
            f"${rounded / 1e9:,.2g} billion"
            if rounded < 1e11
            else f"${rounded / 1e9:,.0f} billion"
        )
    if rounded >= 1_000_000:
        return f"${rounded / 1e6:.2g} million"
    if rounded >= 10:
        return f"${rounded:,.0f}"
    if rounded >= 1:
        return f"${rounded:.2f}" if rounded % 1 else f"${rounded:.0f}"
    return usd(rounded)
