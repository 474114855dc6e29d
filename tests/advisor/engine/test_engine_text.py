"""Money and counts in the engine's sentences: one ``usd`` for cost tables, and
estimates (``approx``, ``usd_approx``) kept to two significant figures."""

from decimal import Decimal

import pytest

from advisor.engine.text import (
    approx,
    approx_count,
    count,
    percent,
    plural,
    usd,
    usd_approx,
)
from tests.advisor.engine.cases import overprecise_figures


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


@pytest.mark.parametrize(
    ("number", "direction", "expected"),
    [
        (4_363_778, 0, 4_400_000),
        (4_363_778, -1, 4_300_000),
        (4_363_778, +1, 4_400_000),
        (4_300_000, +1, 4_300_000),  # already two figures: no step up
        (4_300_000, -1, 4_300_000),
        (35_250_001, +1, 36_000_000),
        (1_499, 0, 1_500),
        (1_449, 0, 1_400),
        (99, 0, 99),
        (5, 0, 5),
        (0, 0, 0),
    ],
)
def test_approx_count_keeps_two_significant_figures(number, direction, expected):
    assert approx_count(number, direction) == expected


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (4_363_778, "4.4 million"),
        (36_000_000, "36 million"),
        (1_000_000, "1 million"),
        (999_999, "1 million"),
        (750_000, "750,000"),
        (1_500, "1,500"),
        (12, "12"),
        (2_000_000_000, "2 billion"),
        (10_000_000_000, "10 billion"),
    ],
)
def test_approx_writes_volumes_as_people_read_estimates(number, text):
    assert approx(number) == text


@pytest.mark.parametrize("number", [99_600_000, 100_000_000, 150_000_000, 990_000_000])
def test_approx_never_writes_scientific_notation_for_hundreds_of_millions(number):
    text = approx(number)

    assert ("e+" not in text, text.endswith(" million")) == (True, True)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (2_137.4, "$2,100"),
        (32.28, "$32"),
        (4.3, "$4.30"),
        (4.0, "$4"),
        (0.002_625, "$0.0026"),
        (570.0, "$570"),
        (58_853.21, "$59,000"),
        (13_400_000, "$13 million"),
        (0, "$0"),
        (None, "\u2014"),
    ],
)
def test_usd_approx_keeps_two_significant_figures(amount, text):
    assert usd_approx(amount) == text


@pytest.mark.parametrize("amount", [99_600_000, 150_000_000, 256_000_000, 990_000_000])
def test_usd_approx_never_writes_scientific_notation_for_hundreds_of_millions(amount):
    assert "e+" not in usd_approx(amount)


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda: count(4_363_778), "4,363,778"),
        (lambda: plural(1, "GPU"), "1 GPU"),
        (lambda: plural(3, "GPU"), "3 GPUs"),
        (lambda: plural(2, "index", "indices"), "2 indices"),
        (lambda: percent(0.284), "28%"),
        (lambda: percent(1), "100%"),
    ],
)
def test_counts_plurals_and_percentages(call, text):
    assert call() == text


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("about $2,100 a month at 36 million requests", []),
        ("$4.30 and $0.0026 and $13 million and $0", []),
        ("at 1,500 predictions a month", []),
        ("roughly $32.28 of GPU time", ["$32.28"]),
        ("only above about 4,363,778 requests a month", ["4,363,778 requests"]),
        ("at 1.5e+02 million requests", ["1.5e+02 million requests"]),
        ("a 200,500-token request, 1,600 ms", []),
    ],
)
def test_the_two_figure_check_on_sentences_flags_only_overprecise_money_and_volumes(
    text, flagged
):
    assert overprecise_figures(text) == flagged
