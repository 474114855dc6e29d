"""Payloads for the engine's tests, the answers they get, and the checks several files share.

Everything here goes through the engine's public surface (``validate``,
``decide(...).to_dict()``), so the tests read like a client's answers and the
advice they get back.
"""

import copy
import re

from advisor.engine import DEFAULT_PRICES, decide, validate
from advisor.engine.prices import HOURS_PER_MONTH


def use_case(name="Use case", task="summarization", monthly_requests=40_000, **fields):
    return {"name": name, "task": task, "monthly_requests": monthly_requests} | fields


def assessment(*use_cases, **organization):
    payload = {"use_cases": list(use_cases) or [use_case()]}
    if organization:
        payload["organization"] = organization
    return payload


def answer(payload, prices=DEFAULT_PRICES):
    """The engine's answer in the contract's JSON shape."""
    return decide(validate(payload), prices).to_dict()


def decide_one(organization=None, prices=DEFAULT_PRICES, **fields):
    """The answer for one use case (summaries at 40,000 a month unless told otherwise)."""
    return answer(assessment(use_case(**fields), **(organization or {})), prices)[
        "use_cases"
    ][0]


def codes(notes):
    return [note["code"] for note in notes]


def options_of(result):
    return {entry["option"]: entry for entry in result["costs"]["options"]}


def chosen(result):
    return options_of(result)[result["option"]]


def validated(**fields):
    """The validated use case, with the task's default token sizes filled in."""
    return validate(assessment(use_case(**fields))).use_cases[0]


def per_request(offer, case, discount=0.0):
    """What one request costs on a model bought by the token, from the book's list price."""
    return (
        (
            case.input_tokens * offer.input_usd_per_million
            + case.output_tokens * offer.output_usd_per_million
        )
        / 1_000_000
        * (1 - discount)
    )


def gpu_of(entry):
    """The serving GPU a self-hosted option's label names ("... on NVIDIA L4 24GB GPUs")."""
    return next(
        gpu
        for gpu in DEFAULT_PRICES.offers.self_hosting.gpus
        if f" on {gpu.name.split(' (')[0]} GPUs" in entry["model"]
    )


def gpu_month(gpu):
    """One GPU rented for a month, around the clock."""
    return gpu.usd_per_hour * HOURS_PER_MONTH


def gpu_seconds(case, gpu):
    """Seconds of ``gpu`` one request takes: the book's two measured runs on its own GPU,
    at the book's utilisation, scaled to this card."""
    per_input, per_output = DEFAULT_PRICES.throughput.seconds_per_token()
    full_load = case.input_tokens * per_input + case.output_tokens * per_output
    return full_load / DEFAULT_PRICES.utilisation.value / gpu.relative_throughput


_STEP = re.compile(r"[A-Za-z_]\w*|\[\d+\]")


def with_flip(payload, flip):
    """``payload`` with the flip's input set to its value (a copy)."""
    changed = copy.deepcopy(payload)
    parts = _STEP.findall(flip["input"])
    target = changed
    for part in parts[:-1]:
        target = (
            target[int(part[1:-1])]
            if part.startswith("[")
            else target.setdefault(part, {})
        )
    target[parts[-1]] = flip["value"]
    return changed


def use_case_index(flip):
    """The use case a flip's input belongs to (organisation flips: None)."""
    found = re.match(r"use_cases\[(\d+)\]", flip["input"])
    return int(found.group(1)) if found else None


# A figure of money ("$1,964", "$4.30", "$13 million") or of volume ("800,000 requests",
# "36 million requests", "1,500 predictions"), as the engine writes them for people.
FIGURE = re.compile(
    r"\$(?P<money>[\d.,]+(?:e[+-]?\d+)?)(?: (?:million|billion))?"
    r"|(?P<volume>[\d.,]+(?:e[+-]?\d+)?)(?: (?:million|billion))? (?:requests|predictions)\b"
)


def significant_digits(figure: str) -> int:
    """Digits that carry information: "2,100" -> 2, "4.30" -> 2, "0.0026" -> 2."""
    return len(figure.replace(",", "").replace(".", "").strip("0"))


def overprecise_figures(text: str) -> list[str]:
    """Money and volumes in ``text`` written with more than two significant figures,
    or in a form people do not read (scientific notation)."""
    found = []
    for match in FIGURE.finditer(text):
        figure = match.group("money") or match.group("volume")
        if "e" in figure or significant_digits(figure) > 2:
            found.append(match.group(0))
    return found


def texts_of(result):
    """Every sentence the engine writes for people in one answer."""
    texts = [result["summary"]]
    for case in result["use_cases"]:
        for notes in ("reasons", "warnings", "compliance", "flips"):
            texts += [note["detail"] for note in case[notes]]
        texts += [
            entry["ruled_out"]["detail"]
            for entry in case["costs"]["options"]
            if entry["ruled_out"] is not None
        ]
        texts += case["next_steps"]
    return texts
