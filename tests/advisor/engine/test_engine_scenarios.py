"""The cases the 2026.2 engine was built for, each with the reason its answer is right.

Figures are derived from the price book (DEFAULT_PRICES), so a new book changes the
numbers but not what these tests say.
"""

import pytest

from advisor.engine import DEFAULT_PRICES
from advisor.engine.options import OWNED, TASK_CAPABILITY
from advisor.engine.result import OPTION_PATHS
from advisor.engine.rules import UNSERVABLE_CONFIDENCE
from tests.advisor.engine.cases import (
    chosen,
    codes,
    decide_one,
    gpu_month,
    gpu_of,
    gpu_seconds,
    options_of,
    per_request,
    validated,
)

OFFERS = DEFAULT_PRICES.offers
GPUS = OFFERS.self_hosting.gpus
H100 = next(gpu for gpu in GPUS if gpu.name.startswith("NVIDIA H100"))


def cheapest_small_model(task):
    """The cheapest small API model capable of the task, at the task's default sizes."""
    case = validated(task=task)
    capable = [m for m in OFFERS.small_models if m.capability >= TASK_CAPABILITY[task]]
    return min(capable, key=lambda model: per_request(model, case))


def usable(result, path=None):
    return [
        entry
        for entry in result["costs"]["options"]
        if entry["ruled_out"] is None
        and (path is None or OPTION_PATHS[entry["option"]] == path)
    ]


def volume_flip(result):
    return next(
        (f for f in result["flips"] if f["input"].endswith(".monthly_requests")), None
    )


def test_ticket_summaries_at_800k_a_month_stay_on_the_cheapest_fitting_api_tier():
    # Summaries are narrow work a small model does well: at 800,000 a month the
    # cheapest capable tier costs hundreds of dollars, far from what owning a model
    # costs once GPUs with a spare, the build and the people are counted.
    volume = 800_000
    result = decide_one(name="Ticket summaries", monthly_requests=volume)
    nano = cheapest_small_model("summarization")

    assert (result["path"], result["option"], chosen(result)["model"]) == (
        "api",
        "api_small",
        nano.name,
    )
    assert nano.name == "GPT-5.4 nano"
    assert chosen(result)["monthly_usd"] == round(
        volume * per_request(nano, validated()), 2
    )
    assert volume_flip(result)["value"] > volume


def test_translation_into_30_languages_at_2m_a_month_buys_a_cheaper_api_not_a_model():
    # Translation is what general models already do well, and nothing in the answers
    # asks for a model of one's own; at volume the saving is a cheaper way to buy the
    # same work (a hosted open-weight model or the smallest tier), not fine-tuning.
    result = decide_one(
        name="Product pages in 30 languages",
        task="translation",
        monthly_requests=2_000_000,
    )

    assert result["path"] == "api"
    assert result["option"] in {"hosted_open_weight", "api_small"}
    assert chosen(result)["tco_3y_usd"] == min(
        entry["tco_3y_usd"] for entry in usable(result, "api")
    )
    assert chosen(result)["tco_3y_usd"] < min(
        entry["tco_3y_usd"] for entry in usable(result, "fine_tune")
    )


def test_work_that_can_wait_is_bought_at_the_batch_price_when_that_is_cheapest():
    # Batch APIs take half the list price for results within a day; at 800,000 a
    # month that saving outweighs the extra week of wiring.
    volume = 800_000
    result = decide_one(
        name="Nightly summaries", monthly_requests=volume, batch_ok=True
    )
    options = options_of(result)
    nano = cheapest_small_model("summarization")

    assert (result["path"], result["option"], chosen(result)["model"]) == (
        "api",
        "api_batch",
        f"{nano.name}, batch",
    )
    assert nano.batch_discount == 0.5
    assert chosen(result)["monthly_usd"] == pytest.approx(
        options["api_small"]["monthly_usd"] * (1 - nano.batch_discount), abs=0.01
    )
    assert chosen(result)["tco_3y_usd"] == min(
        entry["tco_3y_usd"] for entry in usable(result)
    )


def test_batch_pricing_is_not_chosen_when_its_extra_setup_outweighs_the_saving():
    # At a thousand requests a month half the price saves cents; the batch
    # pipeline's extra build time costs more.
    result = decide_one(monthly_requests=1_000, batch_ok=True)
    options = options_of(result)

    assert result["option"] == "api_small"
    assert options["api_batch"]["tco_3y_usd"] > options["api_small"]["tco_3y_usd"]


def test_a_staff_chatbot_whose_data_must_stay_runs_an_open_weight_model_with_retrieval():
    # Answering staff questions from internal documents is retrieval's job: with
    # nothing to tune on, the right model is an untuned open-weight one hosted in-house,
    # fed the passages that answer the question.
    result = decide_one(
        name="Staff handbook assistant",
        task="question_answering",
        monthly_requests=20_000,
        sensitive_data=True,
        user_facing=True,
    )
    steps = " ".join(result["next_steps"])

    assert (result["path"], result["option"]) == (
        "fine_tune",
        "self_hosted_open_weight",
    )
    assert "retrieval" in steps
    assert "1,000-10,000" not in steps
    assert options_of(result)["self_hosted_fine_tune"]["ruled_out"]["code"] == (
        "nothing_to_tune"
    )


def test_a_staff_chatbot_with_thousands_of_examples_gets_a_tuned_model():
    # Thousands of in-house examples that change the right answer are exactly what
    # tuning is for; the data must stay, so the tuned model runs in-house.
    result = decide_one(
        name="Staff handbook assistant",
        task="question_answering",
        monthly_requests=20_000,
        sensitive_data=True,
        proprietary_data="substantial",
    )

    assert (result["path"], result["option"]) == ("fine_tune", "self_hosted_fine_tune")
    assert codes(result["reasons"]) == ["data_must_stay", "proprietary_data"]


def test_a_small_in_house_load_runs_on_a_cheaper_gpu_than_an_h100():
    # 10,000 classifications a month keep no GPU busy: the fleet is the floor of two
    # (one serving, one spare), so the cheapest card wins.
    result = decide_one(
        task="text_classification", monthly_requests=10_000, sensitive_data=True
    )
    gpu = gpu_of(chosen(result))

    assert result["option"] == "self_hosted_open_weight"
    assert gpu == min(GPUS, key=lambda g: g.usd_per_hour)
    assert gpu.usd_per_hour < H100.usd_per_hour
    assert chosen(result)["monthly_usd"] == round(2 * gpu_month(gpu), 2)


def test_a_huge_in_house_load_needs_a_fleet_of_the_gpu_cheapest_per_request():
    # A billion summaries a month keep a hundred cards busy: what matters then is the
    # price per unit of throughput, and the fleet follows the traffic, plus a spare.
    volume = 1_000_000_000
    result = decide_one(monthly_requests=volume, sensitive_data=True)
    entry = chosen(result)
    gpu = gpu_of(entry)
    expected = (
        gpu_month(gpu)
        + volume * gpu_seconds(validated(), gpu) / 3600 * gpu.usd_per_hour
    )

    assert gpu == min(GPUS, key=lambda g: g.usd_per_hour / g.relative_throughput)
    assert entry["monthly_usd"] == pytest.approx(expected, abs=0.01)
    assert entry["monthly_usd"] > 100 * gpu_month(gpu)


def test_a_team_of_ml_engineers_makes_owning_pay_sooner():
    # Without ML engineers a partner builds and runs the model at higher rates, so
    # at 30 million summaries a month an API is still the better buy; a team of 50
    # runs its own model for less than the API costs.
    alone = decide_one({"ml_engineers": 0}, monthly_requests=30_000_000)
    team = decide_one({"ml_engineers": 50}, monthly_requests=30_000_000)

    assert (alone["path"], team["path"]) == ("api", "fine_tune")
    for name in OWNED & set(options_of(alone)):
        assert (
            options_of(alone)[name]["tco_3y_usd"] > options_of(team)[name]["tco_3y_usd"]
        )


def test_an_owned_verdict_is_less_sure_without_anyone_to_run_it():
    # Data that must stay leaves no choice of path, but a company with no ML engineer
    # is less likely to carry a model of its own well.
    alone = decide_one({"ml_engineers": 0}, sensitive_data=True)
    team = decide_one({"ml_engineers": 50}, sensitive_data=True)

    assert (alone["path"], team["path"]) == ("fine_tune", "fine_tune")
    assert alone["confidence"] < team["confidence"]


def test_fraud_checks_at_1500_a_month_without_labels_or_a_team_start_with_a_vendor():
    # 1,500 transactions a month with no confirmed outcomes is too little to learn
    # from and too little to save on: a ready-made scoring service is the start, and
    # the engine says so without pretending to be sure.
    result = decide_one(
        {"ml_engineers": 0},
        name="Card fraud checks",
        task="fraud_detection",
        monthly_requests=1_500,
    )

    assert (result["path"], result["option"], codes(result["warnings"])) == (
        "classical_ml",
        "vendor_tool",
        ["low_volume_predictive"],
    )
    assert result["confidence"] <= 0.9 - 0.3
    assert chosen(result)["model"] in result["warnings"][0]["detail"]


def test_a_200k_token_prompt_whose_data_must_stay_is_warned_about_the_context():
    # The open-weight models that can run in-house read 32,768 tokens; a request of
    # 200,000 does not fit, and the answer must say so rather than pretend it does.
    result = decide_one(input_tokens=200_000, output_tokens=500, sensitive_data=True)

    assert result["path"] == "fine_tune"
    assert codes(result["warnings"]) == ["context_too_long"]
    assert "200,500 tokens" in result["warnings"][0]["detail"]
    assert result["confidence"] <= UNSERVABLE_CONFIDENCE


@pytest.mark.parametrize("input_tokens", [200_000, 500_000])
def test_a_long_prompt_goes_to_an_api_whose_context_fits(input_tokens):
    # Without a reason to keep the data in-house, a long prompt is sent to a hosted
    # model with a context window big enough for it, never to one it overflows.
    result = decide_one(input_tokens=input_tokens, output_tokens=500)
    tokens = input_tokens + 500
    context_of = {
        model.name: model.context_tokens
        for model in (*OFFERS.small_models, OFFERS.frontier_model)
    }

    assert (result["path"], result["warnings"], chosen(result)["ruled_out"]) == (
        "api",
        [],
        None,
    )
    assert context_of[chosen(result)["model"]] >= tokens
    assert all(
        entry["ruled_out"]["code"] == "context"
        for entry in result["costs"]["options"]
        if entry["option"] in {"hosted_open_weight", "self_hosted_open_weight"}
    )


def test_a_100_ms_budget_for_a_250_token_summary_is_infeasible_not_a_reason_to_own():
    # Writing 250 tokens takes longer than 100 ms on any model priced, hosted or
    # in-house: the budget cannot choose a path, so it must not send the use case to
    # a model of its own with high confidence; the answer warns instead.
    result = decide_one(latency_budget_ms=100)

    assert codes(result["warnings"]) == ["latency_infeasible"]
    assert result["path"] != "fine_tune"
    assert result["confidence"] <= UNSERVABLE_CONFIDENCE
    assert "latency_budget" not in codes(result["reasons"])


def test_a_500_ms_budget_for_a_short_classification_rules_out_every_hosted_api():
    # A label in half a second: every hosted API needs longer to its first token and
    # back, while a small model on the client's own GPU answers in time.
    result = decide_one(task="text_classification", latency_budget_ms=500)

    assert (result["path"], codes(result["reasons"])) == (
        "fine_tune",
        ["latency_budget"],
    )
    assert {
        entry["option"]: entry["ruled_out"]["code"]
        for entry in result["costs"]["options"]
        if OPTION_PATHS[entry["option"]] == "api"
    } == {
        "api_small": "latency",
        "api_frontier": "latency",
        "hosted_open_weight": "latency",
    }
    assert chosen(result)["ruled_out"] is None


def test_reading_scanned_documents_is_an_api_job_by_default():
    # Reading invoices and forms into fields is what multimodal API models do well;
    # it is a language task, not a classical model's, and the text-only open-weight
    # models cannot read the page.
    result = decide_one(name="Invoice capture", task="document_extraction")

    assert (result["kind"], result["path"], result["option"]) == (
        "language",
        "api",
        "api_small",
    )
    assert chosen(result)["model"] == cheapest_small_model("document_extraction").name
    assert options_of(result)["hosted_open_weight"]["ruled_out"]["code"] == "quality"


def test_scanned_documents_whose_data_must_stay_are_read_by_an_open_weight_vision_model():
    # Open-weight vision-language models read document pages untuned: invoices that
    # may not leave are read in-house without tuning and without a capability gap.
    result = decide_one(
        {"ml_engineers": 2, "data_can_leave": False},
        name="Invoice capture",
        task="document_extraction",
    )

    assert (result["path"], result["option"], codes(result["reasons"])) == (
        "fine_tune",
        "self_hosted_open_weight",
        ["data_must_stay"],
    )
    assert chosen(result)["ruled_out"] is None
    assert chosen(result)["model"].startswith(f"{OFFERS.self_hosting.model}-VL ")
