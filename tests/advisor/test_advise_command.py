import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from advisor.engine import DEFAULT_PRICES, decide, validate
from advisor.models import Assessment, PriceBook, Recommendation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

ROOT = Path(__file__).resolve().parents[2]
ACME = json.loads((ROOT / "docs" / "examples" / "acme-health.json").read_text())
NORTHWIND = json.loads((ROOT / "docs" / "examples" / "northwind-bank.json").read_text())
FRAUD = {
    "use_cases": [
        {"name": "Card fraud", "task": "fraud_detection", "monthly_requests": 10}
    ]
}


def run(tmp_path, payload, *extra) -> tuple[int, str, str]:
    source = tmp_path / "input.json"
    source.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    out, err = StringIO(), StringIO()
    try:
        call_command("advise", "--input", str(source), *extra, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_advise_object_prints_the_engine_answer(tmp_path):
    code, out, err = run(tmp_path, ACME)

    assert (code, err) == (0, "")
    assert json.loads(out) == decide(validate(ACME)).to_dict()
    assert json.loads(out)["use_cases"][0]["path"] == "fine_tune"


def test_advise_list_keeps_order(tmp_path):
    code, out, _ = run(tmp_path, [FRAUD, ACME])

    assert code == 0
    assert [result["stack"] for result in json.loads(out)] == [
        "classical_ml",
        "fine_tune",
    ]


def test_advise_stores_nothing_without_save(tmp_path):
    run(tmp_path, ACME)

    assert Assessment.objects.count() == 0


def test_advise_save_stores_a_submitted_assessment(tmp_path):
    code, out, err = run(tmp_path, [ACME, FRAUD], "--save")

    assert code == 0
    assert Recommendation.objects.count() == 2
    saved = Assessment.objects.get(company="Acme Health")
    assert saved.status == Assessment.Status.SUBMITTED
    assert [uc.name for uc in saved.use_cases.all()] == ["Triage note summaries"]
    assert saved.recommendation.output == json.loads(out)[0]
    assert err.count("saved as assessment") == 2


@pytest.mark.parametrize(
    ("payload", "messages"),
    [
        (
            "{not json",
            [
                "(input): not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"
            ],
        ),
        ("[]", ["(input): the list is empty: give at least one assessment"]),
        ('"text"', ["(root): must be a JSON object"]),
        ({"use_cases": []}, ["use_cases: must have at least 1 item"]),
        (
            {"organization": {}, "extra": 1, "use_cases": [FRAUD["use_cases"][0]]},
            ["extra: unknown field"],
        ),
        (
            [
                ACME,
                {
                    "use_cases": [
                        {"name": "x", "task": "fraud_detection", "monthly_requests": -1}
                    ]
                },
            ],
            ["[1].use_cases[0].monthly_requests: must be >= 0"],
        ),
    ],
)
def test_advise_invalid_input_names_the_field_and_prints_nothing(
    tmp_path, payload, messages
):
    code, out, err = run(tmp_path, payload)

    assert code == 2
    assert out == ""
    assert err.splitlines() == messages


def test_advise_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("advise", "--input", str(tmp_path / "missing.json"))


def test_advise_reads_standard_input_in_a_real_process():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "consult.settings",
        "DJANGO_DEBUG": "true",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "advise", "--input", "-"],
        input='{"use_cases": [{"name": "x", "task": "fraud_detection", "monthly_requests": true}]}',
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "use_cases[0].monthly_requests: must be a whole number\n"


def test_advise_without_an_active_price_book_uses_the_built_in_one_and_says_so(
    tmp_path,
):
    PriceBook.objects.update(is_active=False)

    code, out, err = run(tmp_path, ACME)

    assert code == 0
    assert json.loads(out) == decide(validate(ACME), DEFAULT_PRICES).to_dict()
    assert f"using the built-in {DEFAULT_PRICES.name}" in err


def test_advise_save_keeps_the_version_2_answers(tmp_path):
    code, _, _ = run(tmp_path, NORTHWIND, "--save")

    saved = Assessment.objects.get(company="Northwind Bank")
    assert code == 0
    assert saved.regulations == ["gdpr", "pci_dss", "eu_ai_act"]
    assert [(uc.task, uc.user_facing, uc.batch_ok) for uc in saved.use_cases.all()] == [
        ("summarization", False, False),
        ("question_answering", True, False),
        ("translation", False, True),
        ("document_extraction", False, False),
        ("fraud_detection", False, False),
    ]


def test_advise_save_without_an_active_price_book_fails_and_stores_nothing(tmp_path):
    PriceBook.objects.update(is_active=False)

    with pytest.raises(CommandError, match="cannot save"):
        run(tmp_path, ACME, "--save")
    assert not Assessment.objects.exists()
