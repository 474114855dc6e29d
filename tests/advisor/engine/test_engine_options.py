"""The options, priced side by side over three years.

Each option's bill is a straight line in the monthly volume above its knee, plus the
people who run it and a one-off build; ``cheaper_from`` solves where one line drops
under another. Through ``decide`` the options show what the price book says: a spare
GPU for every self-hosted fleet, a fleet sized to the load, and people who cost more
when the client has no ML engineer.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.engine import DEFAULT_PRICES
from advisor.engine.costs import MAX_MONTHLY_REQUESTS
from advisor.engine.options import (
    BUILD_WEEKS,
    HISTORY_TO_LABEL,
    MONTHS,
    OWNED,
    RUN_SHARE,
    Priced,
    cheaper_from,
    cheapest_from,
)
from advisor.engine.result import OPTION_PATHS
from tests.advisor.engine.cases import chosen, decide_one, gpu_month, gpu_of, options_of

OFFERS = DEFAULT_PRICES.offers
GPUS = OFFERS.self_hosting.gpus
PEOPLE = OFFERS.people
TEAM = {"ml_engineers": 2}


def line(
    option="self_hosted_open_weight",
    *,
    base=0.0,
    slope,
    knee=0.0,
    people=0.0,
    one_off=0.0,
):
    return Priced(option, "a model", base, slope, knee, people, one_off, None, None)


# --- One option's cost line -------------------------------------------------------


def test_bill_is_flat_below_the_knee_and_straight_above_it():
    fleet = line(base=100.0, slope=0.001, knee=1_000)

    assert [fleet.bill(volume) for volume in (0, 1_000, 2_000)] == [101.0, 101.0, 102.0]


def test_three_year_cost_counts_the_bill_the_people_and_the_build():
    fleet = line(base=100.0, slope=0.001, knee=1_000, people=50.0, one_off=900.0)

    assert fleet.tco(2_000) == MONTHS * (102.0 + 50.0) + 900.0 == 36 * 152.0 + 900.0


def test_record_rounds_to_the_cent_and_adds_up_from_the_rounded_figures():
    fleet = line(base=0.0, slope=1 / 3, people=10 / 3, one_off=100 / 3)

    record = fleet.record(1)

    assert (
        record.monthly_usd,
        record.people_monthly_usd,
        record.one_off_usd,
        record.tco_3y_usd,
    ) == (0.33, 3.33, 33.33, round(36 * (0.33 + 3.33) + 33.33, 2))


# --- Where one option becomes cheaper than another --------------------------------


def test_cheaper_from_solves_the_crossing_above_the_knee():
    # 100 + 0.001 V <= 0.01 V from V = 11,111.1...: the first whole request is 11,112.
    owned = line(base=100.0, slope=0.001, knee=1_000)
    bought = line("api_small", slope=0.01)

    volume = cheaper_from(owned, bought)

    assert (volume, owned.tco(volume - 1) > bought.tco(volume - 1)) == (11_112, True)


def test_cheaper_from_with_a_share_asks_for_clearly_cheaper():
    # At most three quarters of the API: 100 + 0.001 V <= 0.0075 V from V = 15,384.6.
    owned = line(base=100.0, slope=0.001, knee=1_000)
    bought = line("api_small", slope=0.01)

    assert cheaper_from(owned, bought, 0.75) == 15_385


def test_cheaper_from_below_the_knee_where_owning_is_flat():
    # A fleet that costs 101 a month up to 100,000 requests beats 0.01 a request from
    # 10,100, still below its knee.
    owned = line(base=100.0, slope=0.00001, knee=100_000)
    bought = line("api_small", slope=0.01)

    assert cheaper_from(owned, bought) == 10_100


@pytest.mark.parametrize(
    ("owned_slope", "bought_slope"),
    [(0.01, 0.01), (0.02, 0.01)],
)
def test_cheaper_from_is_none_when_owning_never_gets_relatively_cheaper(
    owned_slope, bought_slope
):
    owned = line(base=100.0, slope=owned_slope)
    bought = line("api_small", slope=bought_slope)

    assert cheaper_from(owned, bought) is None


def test_cheaper_from_is_none_beyond_the_contracts_range():
    owned = line(base=1_000_000.0, slope=1e-7)
    bought = line("api_small", slope=1e-7 + 1e-11)

    assert cheaper_from(owned, bought) is None


def test_cheapest_from_takes_the_best_owned_option_against_every_bought_one():
    small_fleet = line(base=100.0, slope=0.002, knee=1_000)
    big_fleet = line(base=1_000.0, slope=0.0001, knee=1_000)
    api = line("api_small", slope=0.01)
    cheaper_api = line("hosted_open_weight", slope=0.005)
    owned, bought = [small_fleet, big_fleet], [api, cheaper_api]

    expected = min(
        max(cheaper_from(mine, theirs, 0.75) for theirs in bought) for mine in owned
    )

    assert cheapest_from(owned, bought, 0.75) == expected
    assert cheapest_from([line(slope=0.02)], bought, 0.75) is None


dollars = st.floats(0, 100_000, allow_nan=False)
per_request = st.floats(1e-7, 0.1, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    owned=st.builds(
        lambda base, slope, knee, people, one_off: line(
            base=base, slope=slope, knee=knee, people=people, one_off=one_off
        ),
        dollars,
        per_request,
        st.floats(0, 1e9, allow_nan=False),
        dollars,
        dollars,
    ),
    bought=st.builds(
        lambda slope, people, one_off: line(
            "api_small", slope=slope, people=people, one_off=one_off
        ),
        per_request,
        dollars,
        dollars,
    ),
    share=st.sampled_from([1.0, 0.75]),
)
def test_cheaper_from_is_the_first_volume_from_which_owning_stays_cheaper(
    owned, bought, share
):
    def cheaper(volume):
        return owned.tco(volume) <= share * bought.tco(volume) * (1 + 1e-12)

    volume = cheaper_from(owned, bought, share)

    if volume is None:
        assert owned.slope >= share * bought.slope or not cheaper(MAX_MONTHLY_REQUESTS)
    else:
        assert cheaper(volume)
        assert volume == 0 or owned.tco(volume - 1) > share * bought.tco(volume - 1)
        assert all(
            cheaper(v) for v in (volume + 1, 2 * volume + 1, MAX_MONTHLY_REQUESTS)
        )


# --- The options of one use case, through decide ---------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"monthly_requests": 0},
        {"monthly_requests": 40_000_000},
        {"sensitive_data": True, "proprietary_data": "substantial"},
        {"task": "fraud_detection", "monthly_requests": 3_333},
        {"task": "document_extraction", "batch_ok": True},
    ],
)
def test_every_option_counts_three_years_of_bill_and_people_plus_the_build(fields):
    for entry in decide_one(**fields)["costs"]["options"]:
        assert entry["tco_3y_usd"] == round(
            MONTHS * (entry["monthly_usd"] + entry["people_monthly_usd"])
            + entry["one_off_usd"],
            2,
        ), entry


def test_a_language_use_case_prices_one_option_of_each_kind():
    result = decide_one(batch_ok=True)

    assert [entry["option"] for entry in result["costs"]["options"]] == [
        "api_small",
        "api_frontier",
        "api_batch",
        "hosted_open_weight",
        "hosted_fine_tune",
        "self_hosted_open_weight",
        "self_hosted_fine_tune",
    ]


def test_batch_pricing_is_offered_only_for_work_that_can_wait():
    assert "api_batch" not in options_of(decide_one())


def test_bought_options_name_the_books_models():
    options = options_of(decide_one())
    cheapest_small = min(
        OFFERS.small_models,
        key=lambda m: 2000 * m.input_usd_per_million + 250 * m.output_usd_per_million,
    )

    assert (
        options["api_small"]["model"],
        options["api_frontier"]["model"],
        options["hosted_open_weight"]["model"],
    ) == (
        cheapest_small.name,
        OFFERS.frontier_model.name,
        OFFERS.hosted_open_weight.name,
    )


@pytest.mark.parametrize("monthly_requests", [0, 10_000, 5_000_000, 300_000_000])
def test_a_self_hosted_fleet_always_has_a_spare(monthly_requests):
    # N+1: the service survives a GPU failure, so even an idle fleet is two GPUs.
    result = decide_one(sensitive_data=True, monthly_requests=monthly_requests)

    for name in ("self_hosted_open_weight", "self_hosted_fine_tune"):
        entry = options_of(result)[name]
        assert "spare" in entry["model"]
        assert entry["monthly_usd"] >= round(2 * gpu_month(gpu_of(entry)), 2)


def test_a_latency_budget_moves_the_fleet_to_a_faster_gpu():
    # A triage summary within 4 s: the smaller cards write 250 tokens too slowly.
    relaxed = gpu_of(chosen(decide_one(sensitive_data=True)))
    tight = gpu_of(chosen(decide_one(sensitive_data=True, latency_budget_ms=4_000)))

    assert tight.ms_per_output_token < relaxed.ms_per_output_token
    assert tight.usd_per_hour > relaxed.usd_per_hour


def test_without_an_ml_engineer_owned_options_pay_a_partners_rates():
    without = options_of(decide_one({"ml_engineers": 0}, sensitive_data=True))
    with_team = options_of(decide_one(TEAM, sensitive_data=True))

    for name, entry in without.items():
        theirs = with_team[name]
        if name in OWNED:
            assert entry["people_monthly_usd"] == pytest.approx(
                theirs["people_monthly_usd"] * PEOPLE.partner_multiplier, abs=0.01
            )
            assert entry["one_off_usd"] > theirs["one_off_usd"]
        else:
            assert (entry["people_monthly_usd"], entry["one_off_usd"]) == (
                theirs["people_monthly_usd"],
                theirs["one_off_usd"],
            )


def test_an_established_team_builds_owned_options_faster():
    small_team = options_of(decide_one(TEAM, sensitive_data=True))
    established = options_of(decide_one({"ml_engineers": 50}, sensitive_data=True))

    for name in OWNED - {"classical_in_house"}:
        assert established[name]["one_off_usd"] < small_team[name]["one_off_usd"]
    assert established["api_small"] == small_team["api_small"]


def test_people_and_build_follow_each_options_share_of_an_engineer():
    # A bought API needs a twentieth of an engineer and a couple of weeks to wire in.
    entry = options_of(decide_one(TEAM))["api_small"]
    year = PEOPLE.engineer_usd_per_year

    assert (entry["people_monthly_usd"], entry["one_off_usd"]) == (
        round(RUN_SHARE["api_small"] * year / 12, 2),
        round(BUILD_WEEKS["api_small"] * year / 48, 2),
    )


def test_a_classical_model_without_history_pays_to_label_one():
    with_history = options_of(
        decide_one(TEAM, task="fraud_detection", proprietary_data="some")
    )
    without = options_of(decide_one(TEAM, task="fraud_detection"))

    assert without["classical_in_house"]["one_off_usd"] - with_history[
        "classical_in_house"
    ]["one_off_usd"] == pytest.approx(HISTORY_TO_LABEL * PEOPLE.labelled_example_usd)


def test_a_vendor_tool_is_priced_per_prediction():
    vendor = next(
        tool for tool in OFFERS.vendor_tools if tool.task == "fraud_detection"
    )
    entry = options_of(
        decide_one(TEAM, task="fraud_detection", monthly_requests=1_500)
    )["vendor_tool"]

    assert (entry["model"], entry["monthly_usd"]) == (
        vendor.name,
        round(1_500 * vendor.usd_per_prediction, 2),
    )


def test_options_keep_to_their_paths():
    for fields in ({}, {"task": "tabular_prediction"}):
        result = decide_one(**fields)
        paths = {OPTION_PATHS[entry["option"]] for entry in result["costs"]["options"]}
        assert paths == (
            {"classical_ml"} if result["kind"] == "predictive" else {"api", "fine_tune"}
        )
