"""The price book: dated, sourced figures that survive a round trip through JSON.

Engine 2026.2 adds the offers the options are priced from (small and frontier API
models, a hosted open-weight model, hosted LoRA, GPUs to self-host on, people, CPUs,
vendor tools); a book stored before them reads with the default offers.
"""

import dataclasses
import json
from datetime import date

import pytest

from advisor.engine import DEFAULT_PRICES, FieldError, PriceBookError, Prices
from advisor.engine.prices import HOURS_PER_MONTH, ThroughputRun

OFFERS = DEFAULT_PRICES.offers


def book(**changes):
    """DEFAULT_PRICES as a dict with the given top-level keys replaced."""
    return DEFAULT_PRICES.to_dict() | changes


def errors_of(data) -> list[str]:
    with pytest.raises(PriceBookError) as caught:
        Prices.from_dict(data)
    return [str(error) for error in caught.value.errors]


def sourced_figures(value):
    """Every nested record of the book that carries a source."""
    if dataclasses.is_dataclass(value):
        if hasattr(value, "source"):
            yield value
        for field in dataclasses.fields(value):
            yield from sourced_figures(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from sourced_figures(item)


def test_default_prices_round_trip_through_json():
    data = json.loads(json.dumps(DEFAULT_PRICES.to_dict()))

    assert Prices.from_dict(data) == DEFAULT_PRICES


def test_default_prices_to_dict_is_json_safe_with_iso_dates():
    data = DEFAULT_PRICES.to_dict()

    assert (
        data["name"],
        data["as_of"],
        data["gpu"]["as_of"],
        data["offers"]["small_models"][0]["as_of"],
    ) == ("default-2026-12", "2026-12-05", "2026-09-25", "2026-05-04")


def test_default_prices_every_figure_has_a_source_and_a_date():
    figures = list(sourced_figures(DEFAULT_PRICES))
    offers = OFFERS
    # Every offer the options are priced from is among them, each with its own source.
    expected_offers = [
        *offers.small_models,
        offers.frontier_model,
        offers.hosted_open_weight,
        offers.hosted_fine_tune,
        offers.self_hosting,
        *offers.self_hosting.gpus,
        offers.people,
        offers.cpu,
        *offers.vendor_tools,
    ]

    assert [f for f in figures if not f.source or not isinstance(f.as_of, date)] == []
    assert [offer for offer in expected_offers if offer not in figures] == []


def test_default_offers_price_every_predictive_task_with_a_vendor_tool_at_most_once():
    tasks = [tool.task for tool in OFFERS.vendor_tools]

    assert sorted(tasks) == sorted(set(tasks))


def test_default_offers_list_small_models_cheapest_first_and_gpus_smallest_first():
    # The engine picks the cheapest small model that is capable enough, and sizes a
    # fleet from the cheapest GPU up; the book lists them in that order to be read.
    small = [model.input_usd_per_million for model in OFFERS.small_models]
    gpus = [gpu.usd_per_hour for gpu in OFFERS.self_hosting.gpus]

    assert (small == sorted(small), gpus == sorted(gpus)) == (True, True)


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        (lambda p: p.api_model.name, "GPT-5.4 mini"),
        (lambda p: p.api_model.input_usd_per_million, 0.75),
        (lambda p: p.api_model.output_usd_per_million, 4.50),
        (lambda p: p.api_model.as_of, date(2026, 5, 4)),
        (lambda p: p.gpu.usd_per_hour, 2.69),
        (lambda p: p.throughput.long_output, ThroughputRun(128, 1024, 13_300)),
        (lambda p: p.throughput.long_prompt, ThroughputRun(1024, 128, 3_000)),
        (lambda p: p.utilisation.value, 0.5),
        (lambda p: (p.fine_tune.gpu_hours, p.fine_tune.estimate), (12, True)),
        (lambda p: p.other_gpus[0].usd_per_hour, 0.805),
        (lambda p: p.other_api_models[3].name, "Claude Haiku 4.5"),
    ],
)
def test_default_prices_carry_the_dated_figures(figure, expected):
    assert figure(DEFAULT_PRICES) == expected


def test_fine_tune_one_off_is_gpu_hours_times_gpu_price_plus_extras():
    book = DEFAULT_PRICES

    assert book.fine_tune_one_off_usd == (
        book.fine_tune.gpu_hours * book.gpu.usd_per_hour + book.fine_tune.extra_usd
    )


def test_always_on_gpu_is_730_hours_of_the_serving_gpu():
    # 8,760 hours a year / 12
    assert (
        HOURS_PER_MONTH,
        DEFAULT_PRICES.always_on_gpu_monthly_usd,
    ) == (730, 730 * DEFAULT_PRICES.gpu.usd_per_hour)


def test_book_stored_before_the_offers_reads_with_the_default_offers():
    # Books stored by engine 2026.1 have no "offers": they must still load.
    stored = {k: v for k, v in DEFAULT_PRICES.to_dict().items() if k != "offers"}

    assert Prices.from_dict(stored).offers == OFFERS


def test_throughput_rates_reproduce_both_measured_runs():
    per_input, per_output = DEFAULT_PRICES.throughput.seconds_per_token()

    # long output: 1,024 output tokens in 128*a + 1024*b seconds -> 13,300 tok/s
    # long prompt: 128 output tokens in 1024*a + 128*b seconds -> 3,000 tok/s
    assert (
        round(1024 / (128 * per_input + 1024 * per_output), 6),
        round(128 / (1024 * per_input + 128 * per_output), 6),
    ) == (13_300.0, 3_000.0)


def test_throughput_rates_price_prompt_tokens_cheaper_than_output_tokens():
    per_input, per_output = DEFAULT_PRICES.throughput.seconds_per_token()

    # About 30,500 prompt tokens and 14,070 output tokens a second at full load.
    assert (round(1 / per_input), round(1 / per_output)) == (30_506, 14_067)


def test_from_dict_accepts_a_renamed_book():
    prices = Prices.from_dict(book(name="autumn-2026"))

    assert prices.name == "autumn-2026"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], ["(root): must be a JSON object"]),
        (book(name=""), ["name: must not be empty"]),
        (
            {k: v for k, v in book().items() if k != "gpu"},
            ["gpu: is required"],
        ),
        (book(colour="red"), ["colour: unknown field"]),
        (book(as_of="2026-13-01"), ["as_of: must be a date (YYYY-MM-DD)"]),
        (
            book(gpu=book()["gpu"] | {"usd_per_hour": 0}),
            ["gpu.usd_per_hour: must be > 0"],
        ),
        (
            book(gpu=book()["gpu"] | {"usd_per_hour": "2.69"}),
            ["gpu.usd_per_hour: must be a number"],
        ),
        (
            book(gpu=book()["gpu"] | {"usd_per_hour": True}),
            ["gpu.usd_per_hour: must be a number"],
        ),
        (
            book(gpu=book()["gpu"] | {"source": ""}),
            ["gpu.source: must not be empty"],
        ),
        (
            book(utilisation=book()["utilisation"] | {"value": 1.5}),
            ["utilisation.value: must be <= 1"],
        ),
        (
            book(
                api_model=book()["api_model"] | {"input_usd_per_million": float("nan")}
            ),
            ["api_model.input_usd_per_million: must be a finite number"],
        ),
        (
            book(fine_tune=book()["fine_tune"] | {"extra_usd": -1}),
            ["fine_tune.extra_usd: must be >= 0"],
        ),
        (
            book(other_gpus=[{"name": "L4"}]),
            [
                "other_gpus[0].usd_per_hour: is required",
                "other_gpus[0].source: is required",
                "other_gpus[0].as_of: is required",
            ],
        ),
    ],
)
def test_from_dict_rejects_bad_book(data, expected):
    assert errors_of(data) == expected


def offers(**changes):
    """The default offers as a dict, with the given keys replaced."""
    return DEFAULT_PRICES.to_dict()["offers"] | changes


def small_model(index=0, **changes):
    return DEFAULT_PRICES.to_dict()["offers"]["small_models"][index] | changes


def serving_gpu(index=0, **changes):
    return DEFAULT_PRICES.to_dict()["offers"]["self_hosting"]["gpus"][index] | changes


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            book(
                offers=offers(small_models=[small_model(capability=4), small_model(1)])
            ),
            ["offers.small_models[0].capability: must be <= 3"],
        ),
        (
            book(
                offers=offers(small_models=[small_model(capability=0), small_model(1)])
            ),
            ["offers.small_models[0].capability: must be >= 1"],
        ),
        (
            book(
                offers=offers(
                    small_models=[small_model(batch_discount=1.0), small_model(1)]
                )
            ),
            ["offers.small_models[0].batch_discount: must be < 1"],
        ),
        (
            book(
                offers=offers(
                    small_models=[small_model(context_tokens=0), small_model(1)]
                )
            ),
            ["offers.small_models[0].context_tokens: must be > 0"],
        ),
        (
            book(
                offers=offers(
                    self_hosting=offers()["self_hosting"]
                    | {"gpus": [serving_gpu(relative_throughput=0), serving_gpu(1)]}
                )
            ),
            ["offers.self_hosting.gpus[0].relative_throughput: must be > 0"],
        ),
        (
            book(
                offers=offers(people=offers()["people"] | {"partner_multiplier": 0.5})
            ),
            ["offers.people.partner_multiplier: must be >= 1"],
        ),
        (
            book(offers=offers(frontier_model=None)),
            ["offers.frontier_model: must be a JSON object"],
        ),
        (
            book(offers=offers(colour="red")),
            ["offers.colour: unknown field"],
        ),
    ],
)
def test_from_dict_rejects_bad_offers(data, expected):
    assert errors_of(data) == expected


def test_from_dict_rejects_runs_with_the_same_shape():
    throughput = book()["throughput"]
    run = {"input_tokens": 128, "output_tokens": 1024, "output_tokens_per_second": 9000}

    assert errors_of(
        book(throughput=throughput | {"long_output": run, "long_prompt": run})
    ) == ["throughput: the two runs must differ in their prompt-to-answer ratio"]


def test_from_dict_rejects_runs_that_imply_negative_time():
    throughput = book()["throughput"]
    # The prompt-heavy run is faster than the answer-heavy one could allow.
    faster = {
        "input_tokens": 1024,
        "output_tokens": 128,
        "output_tokens_per_second": 900_000,
    }

    assert errors_of(book(throughput=throughput | {"long_prompt": faster})) == [
        (
            "throughput: the two runs must give a positive time per prompt token and per "
            "output token"
        )
    ]


def test_price_book_error_reads_like_a_value_error():
    error = PriceBookError(
        [FieldError("gpu", "is required"), FieldError("name", "is required")]
    )

    assert (isinstance(error, ValueError), str(error)) == (
        True,
        "gpu: is required\nname: is required",
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            book(offers=offers(small_models=[])),
            ["offers.small_models: must have at least 1 item"],
        ),
        (
            book(offers=offers(self_hosting=offers()["self_hosting"] | {"gpus": []})),
            ["offers.self_hosting.gpus: must have at least 1 item"],
        ),
    ],
)
def test_a_book_needs_a_small_api_model_and_a_gpu_to_price_every_use_case(
    data, expected
):
    # Every language use case is priced on a small API model and on a GPU of the
    # client's own: without them no answer could be given (or a provider would be
    # recommended for data that must stay).
    assert errors_of(data) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            book(offers=offers(small_models=[small_model(capability=4)])),
            ["offers.small_models[0].capability: must be <= 3"],
        ),
        (
            book(
                offers=offers(
                    self_hosting=offers()["self_hosting"]
                    | {"gpus": [serving_gpu(relative_throughput=0)]}
                )
            ),
            ["offers.self_hosting.gpus[0].relative_throughput: must be > 0"],
        ),
    ],
)
def test_a_list_with_one_bad_item_is_told_about_that_item_only(data, expected):
    assert errors_of(data) == expected
