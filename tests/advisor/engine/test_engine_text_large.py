"""Very large estimates read as people say them, never in scientific notation."""

import pytest

from advisor.engine.text import approx, usd_approx


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (999_000_000, "$1 billion"),
        (4_500_000_000, "$4.5 billion"),
        (12_340_000_000, "$12 billion"),
        (320_000_000_000, "$320 billion"),
        (4_500_000_000_000, "$4,500 billion"),
    ],
)
def test_usd_approx_in_billions(amount, text):
    assert usd_approx(amount) == text


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (4_363_778, "4.4 million"),
        (9_990_000_000, "10 billion"),
        (3.2e11, "320 billion"),
    ],
)
def test_approx_volumes(count, text):
    assert approx(count) == text
    assert "e+" not in approx(count)
