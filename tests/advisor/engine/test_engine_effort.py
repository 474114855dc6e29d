"""The effort the engine states: by path and by the size of the client's team."""

import pytest

from advisor.engine import decide, validate
from tests.helpers.engine import API, CLASSICAL, FINE_TUNE


@pytest.mark.parametrize(
    ("case", "engineers", "effort"),
    [
        (API, 0, "A software engineer can ship this in days; no ML hire is needed."),
        (
            API,
            1,
            (
                "A software engineer can ship this in days; your ML engineer can own the test "
                "set and the choice of model."
            ),
        ),
        (
            FINE_TUNE,
            0,
            (
                "This needs ML skills you do not have in-house yet: hire an ML engineer or "
                "bring in a partner for the first model. Expect weeks rather than days, and "
                "ongoing work to run the GPU service."
            ),
        ),
        (
            FINE_TUNE,
            1,
            (
                "Within reach for your ML engineer: expect weeks for data, a first run and "
                "evaluation, then someone on call for the GPU service."
            ),
        ),
        (
            FINE_TUNE,
            3,
            (
                "Within reach for your 3 ML engineers: expect weeks for data, a first run and "
                "evaluation, then someone on call for the GPU service."
            ),
        ),
        (
            FINE_TUNE,
            4,
            (
                "Your 4 ML engineers can run this: the work is data, evaluation and operating "
                "the GPU service, not research."
            ),
        ),
        (
            CLASSICAL,
            0,
            (
                "This needs a data scientist: hire one or bring in a partner. Expect weeks to "
                "months, most of it spent on data and the retraining pipeline."
            ),
        ),
        (
            CLASSICAL,
            2,
            (
                "Your 2 ML engineers can build this: expect weeks to a first model, most of it "
                "spent on data and the retraining pipeline."
            ),
        ),
        (
            CLASSICAL,
            1200,
            (
                "Your 1,200 ML engineers can build and own this; plan monitoring and regular "
                "retraining from day one."
            ),
        ),
    ],
)
def test_effort_depends_on_path_and_team_size(case, engineers, effort):
    payload = {"organization": {"ml_engineers": engineers}, "use_cases": [case]}

    assert decide(validate(payload)).to_dict()["use_cases"][0]["effort"] == effort


@pytest.mark.parametrize("engineers", [0, 5])
def test_effort_for_a_vendors_service_is_wiring_it_in_whatever_the_team(engineers):
    payload = {
        "organization": {"ml_engineers": engineers},
        "use_cases": [
            {"name": "Card fraud", "task": "fraud_detection", "monthly_requests": 1_500}
        ],
    }
    case = decide(validate(payload)).to_dict()["use_cases"][0]

    assert (case["option"], case["effort"]) == (
        "vendor_tool",
        (
            "A software engineer can wire in a ready-made service in days to weeks; the "
            "work that matters is logging outcomes so that a model of your own can follow."
        ),
    )
