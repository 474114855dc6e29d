"""Money in the engine's sentences and in cost tables: one ``usd``."""

from decimal import Decimal

import pytest

from advisor.engine.text import usd


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1963.7, "$1,964"),
        (100, "$100"),
        (99, "$99.00"),
        (1, "$1.00"),
        (0.0025, "$0.0025"),
        (0.001, "$0.001"),
        (0.5, "$0.50"),
        (0, "$0"),
    ],
)
def test_usd_in_a_sentence_keeps_two_significant_figures_below_a_dollar(amount, text):
    assert usd(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1963.7, "$1,964"),
        (99, "$99.00"),
        (0.0025, "$0.00"),
        (0, "$0.00"),
        (Decimal("1234.40"), "$1,234"),
        (Decimal("12.50"), "$12.50"),
    ],
)
def test_usd_with_cents_rounds_small_sums_to_the_cent(amount, text):
    assert usd(amount, cents=True) == text


def test_usd_not_costed_is_a_dash():
    assert usd(None) == "\u2014"
