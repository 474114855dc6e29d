"""The options chart's geometry, from a stored answer alone, and the words for people:
money and volumes to two significant figures."""

import pytest

from advisor.charts import (
    MAX_TICKS,
    PAD,
    PHONE_FONT,
    WIDTH,
    break_even_words,
    label_width,
    options_chart,
    requests_approx,
    usd_approx,
    usd_whole,
)
from advisor.engine import result_from_dict
from advisor.engine.result import OPTIONS
from advisor.enums import OPTION_LABELS, OPTION_SHORT_LABELS
from advisor.selectors import answer_chart
from tests.helpers.answers import answer_2026_2, as_2026_1

# A text's box at the phone's font: from about an em above its baseline to a
# quarter below (Chromium's boxes for the page's sans-serif).
ASCENT, DESCENT = 1.1 * PHONE_FONT, 0.3 * PHONE_FONT


def span(label) -> tuple[float, float]:
    """Where a label (or a tick's) runs from and to, at the phone's font."""
    words, x = (
        (label.text, label.x)
        if hasattr(label, "text")
        else (label.label, label.position)
    )
    width = label_width(words)
    start = {"start": x, "middle": x - width / 2, "end": x - width}[label.anchor]
    return start, start + width


def support_chart(volume=20_000, **changes):
    output = answer_2026_2()
    output["use_cases"][0]["costs"].update(changes)
    answer = result_from_dict(output).use_cases[0]
    return answer_chart(answer, monthly_requests=volume)


def test_one_bar_per_priced_option_cheapest_first():
    chart = support_chart()

    assert [bar.option for bar in chart.bars] == [
        "hosted_open_weight",  # $48,760, ruled out
        "api_small",  # $54,320, chosen
        "hosted_fine_tune",
        "self_hosted_open_weight",
        "api_frontier",
        "self_hosted_fine_tune",  # $288,300, ruled out
    ]
    widths = [bar.width for bar in chart.bars]
    assert widths == sorted(widths)
    # A linear scale from $0: the longest bar spans the plot, the others in proportion.
    assert widths[-1] == WIDTH - 2 * PAD
    assert widths[1] == pytest.approx(widths[-1] * 54_320 / 288_300)
    assert all(bar.x == PAD for bar in chart.bars)


def test_the_chosen_bar_is_highlighted_and_ruled_out_ones_marked():
    chart = support_chart()

    chosen = [bar for bar in chart.bars if bar.chosen]
    assert [bar.option for bar in chosen] == ["api_small"]
    assert chosen[0].label.text == "Small model API: $54k · recommended"
    assert chart.path == "api"  # the chosen bar takes the path's colour
    assert [bar.option for bar in chart.bars if bar.ruled_out] == [
        "hosted_open_weight",
        "self_hosted_fine_tune",
    ]
    assert chart.bars[0].label.text == "Hosted open model: $49k · ruled out"
    assert "Small model API about $54,000 (recommended)" in chart.description
    assert "Hosted open model about $49,000 (ruled out)" in chart.description


def test_each_label_sits_above_its_bar_clear_of_the_one_before():
    chart = support_chart()

    previous_bottom = chart.title.y + DESCENT
    for bar in chart.bars:
        assert bar.label.anchor == "start"
        assert bar.label.y < bar.y
        assert bar.label.y - ASCENT >= previous_bottom
        previous_bottom = bar.y + bar.height
    assert chart.title.y - ASCENT >= 0


def test_unpriced_options_get_no_bar():
    output = answer_2026_2()
    output["use_cases"][0]["costs"]["options"][1]["tco_3y_usd"] = None

    answer = result_from_dict(output).use_cases[0]
    chart = answer_chart(answer, monthly_requests=20_000)

    assert "api_frontier" not in [bar.option for bar in chart.bars]
    assert len(chart.bars) == 5


def test_the_break_even_range_is_a_band_inside_the_volume_plot():
    chart = support_chart(volume=20_000)
    volume = chart.volume

    assert volume.plot_left <= volume.band_left < volume.band_right <= volume.plot_right
    assert volume.plot_left <= volume.you_x < volume.band_left  # 20k is below 1.5M
    ticks = {tick.label: tick.position for tick in volume.ticks}
    assert ticks["1M"] < volume.band_left < ticks["10M"] < volume.band_right
    assert ticks["10k"] < volume.you_x < ticks["100k"]
    assert volume.band_label.text == "Break-even: 1.5M\u201323M/month"
    assert volume.you_label.text == "You: 20k/month"
    # Below the bars, and the chart is tall enough for its last label.
    assert volume.title.y - ASCENT >= chart.bars[-1].y + chart.bars[-1].height
    assert volume.you_label.y + DESCENT <= chart.height
    assert chart.description.endswith(
        "Owning the model breaks even with the API between about 1.5M and 23M "
        "requests a month; you expect about 20k."
    )


@pytest.mark.parametrize(
    ("volume", "span_"),
    [
        (0, [1_500_000, 23_000_000]),
        (1, [1, 1]),
        (20_000, [20_000, 20_000]),
        (150, [9_000_000_000, 10_000_000_000]),
        (10_000_000_000, [1_000, 5_000]),
        (3_000_000, [2_000_000, 4_000_000]),
    ],
)
def test_volume_labels_and_ticks_stay_inside_the_chart_at_the_phone_font(volume, span_):
    chart = support_chart(volume=volume, break_even_monthly_requests_range=span_)
    scale = chart.volume

    assert scale.plot_left <= scale.band_left <= scale.band_right <= scale.plot_right
    assert scale.plot_left <= scale.you_x <= scale.plot_right
    for label in (scale.band_label, scale.you_label, scale.title):
        start, end = span(label)
        assert start >= 0, label
        assert end <= WIDTH, label
    assert len(scale.ticks) <= MAX_TICKS + 1
    positions = [tick.position for tick in scale.ticks]
    assert positions == sorted(positions)
    for tick in scale.ticks:
        start, end = span(tick)
        assert start >= 0, tick
        assert end <= WIDTH, tick
    for left, right in zip(scale.ticks, scale.ticks[1:], strict=False):
        assert span(left)[1] < span(right)[0], (left.label, right.label)


def test_every_bar_label_fits_a_phone():
    """The longest words a bar can carry, at the largest font the page uses."""
    longest = max(OPTION_SHORT_LABELS.values(), key=len)

    assert label_width(f"{longest}: $290k · recommended") <= WIDTH - 2 * PAD
    assert set(OPTION_SHORT_LABELS) == set(OPTION_LABELS) == set(OPTIONS)


def test_an_answer_without_options_has_no_chart():
    old = result_from_dict(as_2026_1(answer_2026_2()))

    assert [
        answer_chart(answer, monthly_requests=20_000) for answer in old.use_cases
    ] == [None, None, None]


def test_an_answer_without_a_break_even_range_has_bars_only():
    fraud = result_from_dict(answer_2026_2()).use_cases[2]

    chart = answer_chart(fraud, monthly_requests=3_000_000)

    assert [bar.option for bar in chart.bars] == ["vendor_tool", "classical_in_house"]
    assert chart.volume is None
    assert chart.height == chart.bars[-1].y + chart.bars[-1].height + 18


def test_the_chart_reads_the_answer_not_the_engine():
    """Figures changed in the stored answer are the figures drawn."""
    chart = options_chart(
        options=result_from_dict(answer_2026_2()).use_cases[1].costs.options,
        chosen="hosted_fine_tune",
        path="fine_tune",
        break_even_range=None,
        monthly_requests=50_000,
        label=str.upper,
    )

    assert [bar.label.text for bar in chart.bars] == [
        "API_FRONTIER: $86k · ruled out",
        "HOSTED_FINE_TUNE: $130k · recommended",
        "SELF_HOSTED_FINE_TUNE: $320k",
    ]


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (None, "\u2014"),
        (0, "$0"),
        (0.0025, "$0.0025"),
        (0.5, "$0.50"),
        (5, "$5"),
        (9.5, "$9.50"),
        (32.28, "$32"),
        (833.33, "$830"),
        (4363.78, "$4,400"),
        (9120.5, "$9,100"),
        (61000, "$61,000"),
        (389338, "$390,000"),
        (1_234_567, "$1.2 million"),
        (23_000_000, "$23 million"),
    ],
)
def test_money_for_people_has_two_significant_figures(amount, words):
    assert usd_approx(amount) == words


def test_money_in_tables_is_whole_dollars():
    assert [usd_whole(value) for value in (54_320.4, 833.33, 0.2, 0, None)] == [
        "$54,320",
        "$833",
        "under $1",
        "$0",
        "\u2014",
    ]


def test_volumes_for_people_have_two_significant_figures():
    assert [requests_approx(n) for n in (4_363_778, 23_000_000, 1_549, 950, 0)] == [
        "4.4M",
        "23M",
        "1.5k",
        "950",
        "0",
    ]
    assert break_even_words([1_500_000, 23_000_000]) == (
        "between about 1.5M and 23M requests a month"
    )
    assert break_even_words([4_363_778, 4_400_100]) == (
        "at about 4.4M requests a month"
    )
