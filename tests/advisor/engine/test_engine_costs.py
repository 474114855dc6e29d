"""The cost model against hand-worked examples, and its break-even point."""

import dataclasses

import pytest

from advisor.engine import (
    DEFAULT_PRICES,
    api_monthly_cost,
    break_even_monthly_requests,
    self_hosted_monthly_cost,
    validate,
)
from advisor.engine.costs import (
    MAX_MONTHLY_REQUESTS,
    api_cost,
    break_even,
    gpus_needed,
    self_hosted_cost,
    unit_costs,
    unit_costs_and_break_even,
)
from advisor.engine.rules import cost_facts

FLOOR = 1963.70  # one always-on H100: 730 h x $2.69


def one(**fields):
    base = {"name": "Use case", "task": "summarization", "monthly_requests": 1000}
    return validate({"use_cases": [base | fields]}).use_cases[0]


def with_api_price(input_usd: float, output_usd: float):
    api = dataclasses.replace(
        DEFAULT_PRICES.api_model,
        input_usd_per_million=input_usd,
        output_usd_per_million=output_usd,
    )
    return dataclasses.replace(DEFAULT_PRICES, api_model=api)


@pytest.mark.parametrize(
    ("fields", "requests", "expected"),
    [
        # (2,000 x $0.75 + 250 x $4.50) / 1M = $0.002625 a request; x 40,000
        ({"task": "summarization"}, 40_000, 105.00),
        # (1,800 x $0.75 + 250 x $4.50) / 1M = $0.002475; x 40,000
        ({"input_tokens": 1800, "output_tokens": 250}, 40_000, 99.00),
        # (500 x $0.75 + 10 x $4.50) / 1M = $0.00042; x 8,000,000
        ({"task": "text_classification"}, 8_000_000, 3360.00),
        # (500 x $0.75 + 800 x $4.50) / 1M = $0.003975; x 2,000
        ({"task": "content_generation"}, 2_000, 7.95),
        ({"task": "translation"}, 0, 0.00),
    ],
)
def test_api_monthly_cost_matches_hand_arithmetic(fields, requests, expected):
    assert (
        round(api_monthly_cost(one(**fields), DEFAULT_PRICES, requests), 6) == expected
    )


@pytest.mark.parametrize("requests", [0, 1, 40_000, 1_000_000])
def test_self_hosted_monthly_cost_is_one_always_on_gpu_at_low_volume(requests):
    assert round(self_hosted_monthly_cost(one(), DEFAULT_PRICES, requests), 6) == FLOOR


def test_self_hosted_monthly_cost_grows_with_gpu_time_above_one_gpu():
    # Per request at full load: 500 x 32.7804 us + 10 x 71.0904 us = 17.1011 ms of
    # GPU time; at half load 34.2022 ms. x 100M = 950.06 GPU hours x $2.69.
    cost = self_hosted_monthly_cost(
        one(task="text_classification"), DEFAULT_PRICES, 10**8
    )

    assert round(cost, 2) == 2555.66


def test_self_hosted_monthly_cost_summaries_at_a_billion_requests():
    # (2,000 x 32.7804 us + 250 x 71.0904 us) / 0.5 = 166.67 ms a request;
    # x 1e9 = 46,296.3 GPU hours x $2.69.
    cost = self_hosted_monthly_cost(one(), DEFAULT_PRICES, 10**9)

    assert round(cost, 2) == 124537.04


@pytest.mark.parametrize(
    ("requests", "gpus"),
    [
        (0, 1),
        (10**7, 1),
        # 730 h x 3,600 s / 34.2022 ms a request = 76,837,225.2 requests
        (76_837_225, 1),
        (76_837_226, 2),
        (10**8, 2),
    ],
)
def test_gpus_needed_rounds_up_to_whole_gpus(requests, gpus):
    unit = unit_costs(one(task="text_classification"), DEFAULT_PRICES)

    assert gpus_needed(unit, requests) == gpus


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # $1,963.70 / $0.002625 = 748,076.19 -> 748,077
        ({"task": "summarization"}, 748_077),
        # $1,963.70 / $0.002475 = 793,414.14 -> 793,415
        ({"input_tokens": 1800, "output_tokens": 250}, 793_415),
        # $1,963.70 / $0.00042 = 4,675,476.19 -> 4,675,477
        ({"task": "text_classification"}, 4_675_477),
        # (1,500 x $0.75 + 200 x $4.50) / 1M = $0.002025 -> 969,728.4 -> 969,729
        ({"task": "extraction"}, 969_729),
    ],
)
def test_break_even_matches_hand_arithmetic(fields, expected):
    assert break_even_monthly_requests(one(**fields), DEFAULT_PRICES) == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"task": "summarization"},
        {"task": "text_classification"},
        {"task": "question_answering"},
        {"task": "content_generation"},
        {"task": "translation"},
        {"input_tokens": 1, "output_tokens": 1},
        {"input_tokens": 2_000_000, "output_tokens": 200_000},
    ],
)
def test_break_even_agrees_with_the_cost_functions(fields):
    use_case = one(**fields)
    volume = break_even_monthly_requests(use_case, DEFAULT_PRICES)
    assert volume is not None

    def self_hosting_wins(requests):
        return self_hosted_monthly_cost(
            use_case, DEFAULT_PRICES, requests
        ) <= api_monthly_cost(use_case, DEFAULT_PRICES, requests)

    assert (self_hosting_wins(volume - 1), self_hosting_wins(volume)) == (False, True)


def test_break_even_none_when_self_hosting_costs_more_per_request():
    # At $0.01 per 1M tokens the API is cheaper per request than any GPU time.
    prices = with_api_price(0.01, 0.01)

    assert break_even_monthly_requests(one(), prices) is None


def test_break_even_none_when_beyond_the_contracts_range():
    # One token in, one out at $0.09 per 1M: $0.00000018 a request, still above
    # the GPU's cost per request, but $1,963.70 / $0.00000018 = 10.9 billion.
    use_case = one(input_tokens=1, output_tokens=1)
    prices = with_api_price(0.09, 0.09)
    unit = unit_costs(use_case, prices)

    assert (
        unit.self_hosted_per_request <= unit.api_per_request,
        break_even(unit),
        MAX_MONTHLY_REQUESTS,
    ) == (True, None, 10_000_000_000)


@pytest.mark.parametrize(
    "task", ["fraud_detection", "forecasting", "specialized_vision"]
)
@pytest.mark.parametrize(
    "cost",
    [
        api_monthly_cost,
        self_hosted_monthly_cost,
        lambda u, p, _: break_even_monthly_requests(u, p),
    ],
)
def test_cost_functions_refuse_predictive_tasks(task, cost):
    with pytest.raises(ValueError, match="is not priced in tokens"):
        cost(one(task=task), DEFAULT_PRICES, 1000)


@pytest.mark.parametrize(
    ("fields", "requests"),
    [
        ({}, 0),
        ({}, 40_000),
        ({"task": "text_classification"}, 8_000_000),
        ({"task": "text_classification"}, 10**8),
        ({"task": "question_answering", "value_per_request_usd": 0.01}, 123_457),
        ({"input_tokens": 2_000_000, "output_tokens": 200_000}, 10**10),
    ],
)
def test_cost_facts_agree_with_the_public_functions(fields, requests):
    use_case = one(monthly_requests=requests, **fields)
    unit = unit_costs(use_case, DEFAULT_PRICES)

    facts = cost_facts(use_case, DEFAULT_PRICES)

    assert (
        facts.api_monthly,
        facts.self_hosted_monthly,
        facts.break_even,
        facts.gpus,
    ) == (
        api_cost(unit, requests),
        self_hosted_cost(unit, requests),
        break_even_monthly_requests(use_case, DEFAULT_PRICES),
        gpus_needed(unit, requests),
    )


def test_cost_facts_margin_share_is_api_cost_over_value():
    # $0.002625 a request / $0.0105 of value = 25%
    facts = cost_facts(one(value_per_request_usd=0.0105), DEFAULT_PRICES)

    assert round(facts.margin_share or 0, 6) == 0.25


@pytest.mark.parametrize("value", [None, 0])
def test_cost_facts_no_margin_share_without_a_positive_value(value):
    assert (
        cost_facts(one(value_per_request_usd=value), DEFAULT_PRICES).margin_share
        is None
    )


def test_unit_costs_follow_a_custom_price_book():
    # A GPU at $1/h and an API at $1/$2 per 1M tokens:
    # (2,000 x $1 + 250 x $2) / 1M = $0.0025 a request; floor 730 x $1.
    prices = with_api_price(1.0, 2.0)
    gpu = dataclasses.replace(prices.gpu, usd_per_hour=1.0)
    unit = unit_costs(one(), dataclasses.replace(prices, gpu=gpu))

    assert (round(unit.api_per_request, 9), unit.self_hosted_floor) == (0.0025, 730.0)


def test_unit_costs_are_solved_once_per_book_and_size():
    # Same sizes, other volumes: one solved pair. Another book: its own figures.
    unit, even = unit_costs_and_break_even(one(), DEFAULT_PRICES)
    again = unit_costs_and_break_even(one(monthly_requests=5), DEFAULT_PRICES)
    other = unit_costs_and_break_even(one(), with_api_price(1.0, 2.0))

    assert (
        again[0] is unit,
        again[1] == even,
        round(other[0].api_per_request, 9),
        other[1] == break_even(other[0]),
    ) == (True, True, 0.0025, True)
