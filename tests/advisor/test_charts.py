"""The cost chart's geometry: its labels stay inside the chart at the phone's font size."""

import pytest

from advisor.charts import LEFT, RIGHT, TOP, WIDTH, cost_chart
from advisor.engine import DEFAULT_PRICES

# site.css draws the chart's text at 22 units when the chart is narrower than 30rem.
PHONE_FONT = 22
# An average glyph of a bold sans-serif is about 0.62 em wide (digits and lower case
# are narrower, so this errs towards the wide side).
EM = 0.62


def horizontal_span(x: float, label: str, anchor: str) -> tuple[float, float]:
    width = len(label) * EM * PHONE_FONT
    start = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return start, start + width


def chart_for(volume: int, input_tokens: int):
    return cost_chart(
        {
            "name": "Support summaries",
            "task": "summarization",
            "monthly_requests": volume,
            "input_tokens": input_tokens,
        },
        DEFAULT_PRICES,
    )


VOLUMES = [1, 150, 2_000, 20_000, 300_000, 5_000_000, 80_000_000, 2_000_000_000]
TOKENS = [50, 1_000, 30_000]


@pytest.mark.parametrize("volume", VOLUMES)
@pytest.mark.parametrize("input_tokens", TOKENS)
def test_marker_labels_stay_inside_the_chart(volume, input_tokens):
    chart = chart_for(volume, input_tokens)

    for marker in (chart.you, chart.break_even):
        if marker is None:
            continue
        start, end = horizontal_span(marker.x, marker.label, marker.anchor)
        assert start >= 0, (marker.label, marker.anchor)
        assert end <= WIDTH, (marker.label, marker.anchor)


def test_labels_near_an_edge_run_inwards():
    anchors = {
        marker.anchor
        for volume in VOLUMES
        for tokens in TOKENS
        for marker in (
            chart_for(volume, tokens).you,
            chart_for(volume, tokens).break_even,
        )
        if marker is not None
    }

    assert anchors == {"start", "middle", "end"}


@pytest.mark.parametrize("volume", VOLUMES)
def test_tick_labels_fit_the_margins(volume):
    chart = chart_for(volume, 1_000)

    last = chart.x_ticks[-1]
    assert horizontal_span(last.position, last.label, "middle")[1] <= WIDTH
    first = chart.x_ticks[0]
    assert horizontal_span(first.position, first.label, "middle")[0] >= 0
    # y labels end 8 units left of the plot, so they must fit in LEFT - 8.
    assert all(len(tick.label) * EM * PHONE_FONT <= LEFT - 8 for tick in chart.y_ticks)
    # The y axis title sits above the plot, clear of the top tick label.
    assert TOP - 18 >= PHONE_FONT * 0.75
    assert RIGHT >= 0


@pytest.mark.parametrize(
    ("volume", "words", "label"),
    [
        (0, "At your 0 requests a month the API costs about $0.00 ", "You: 0/month"),
        (1, "At your 1 request a month ", "You: 1/month"),
    ],
)
def test_words_and_marker_give_the_volume_as_entered(volume, words, label):
    chart = chart_for(volume, 1_000)

    assert chart.description.startswith(words)
    assert chart.you.label == label
    # Still drawn: a log axis has no 0, so 0 sits at the axis's left end.
    assert chart.plot_left <= chart.you.x <= chart.plot_right
