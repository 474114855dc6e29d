"""What one request costs (``advisor.engine.costs.unit_costs``): the reference API's
list price and the GPU time on the measured serving GPU, which every self-hosted
option is priced from (see test_engine_options.py for the options themselves)."""

import dataclasses

import pytest

from advisor.engine import DEFAULT_PRICES, validate
from advisor.engine.contract import PREDICTIVE_TASKS
from advisor.engine.costs import unit_costs
from advisor.engine.prices import HOURS_PER_MONTH
from tests.advisor.engine.cases import assessment, use_case

BOOK = DEFAULT_PRICES


def one(**fields):
    return validate(assessment(use_case(**fields))).use_cases[0]


def reference_price(case, prices=BOOK):
    """One request on the book's reference API model, at list price."""
    model = prices.api_model
    return (
        case.input_tokens * model.input_usd_per_million
        + case.output_tokens * model.output_usd_per_million
    ) / 1_000_000


def gpu_seconds(case, prices=BOOK):
    """GPU time one request really takes: the measured runs at the book's utilisation."""
    per_input, per_output = prices.throughput.seconds_per_token()
    return (
        case.input_tokens * per_input + case.output_tokens * per_output
    ) / prices.utilisation.value


@pytest.mark.parametrize(
    "fields",
    [
        {"task": "summarization"},
        {"input_tokens": 1800, "output_tokens": 250},
        {"task": "text_classification"},
        {"task": "content_generation"},
        {"task": "document_extraction"},
        {"task": "translation"},
    ],
)
def test_unit_costs_are_the_list_price_and_the_measured_gpu_time(fields):
    case = one(**fields)

    unit = unit_costs(case, BOOK)

    assert unit.api_per_request == pytest.approx(reference_price(case))
    assert unit.gpu_seconds_per_request == pytest.approx(gpu_seconds(case))
    assert unit.self_hosted_floor == pytest.approx(
        HOURS_PER_MONTH * BOOK.gpu.usd_per_hour
    )


def test_unit_costs_follow_a_custom_price_book():
    api = dataclasses.replace(
        BOOK.api_model, input_usd_per_million=1.0, output_usd_per_million=2.0
    )
    prices = dataclasses.replace(BOOK, api_model=api)
    case = one(input_tokens=1000, output_tokens=500)

    assert unit_costs(case, prices).api_per_request == pytest.approx(0.002)
    assert unit_costs(case, BOOK).api_per_request != pytest.approx(0.002)


@pytest.mark.parametrize("task", PREDICTIVE_TASKS)
def test_unit_costs_refuse_predictive_tasks(task):
    with pytest.raises(ValueError, match="not priced in tokens"):
        unit_costs(one(task=task), BOOK)
