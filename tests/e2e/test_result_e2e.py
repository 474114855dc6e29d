"""The result page in Chromium: an engine 2026.2 answer and a stored 2026.1 one, on a
phone and on a desktop."""

import pytest

from advisor.services import assessment_submit
from tests.factories.advisor import AssessmentFactory, three_path_use_cases
from tests.helpers.answers import answer_2026_2, as_2026_1, store_answer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = [(390, 844, "phone"), (1280, 900, "desktop")]


def submitted_with(output=None):
    """Submitted through the engine; its answer replaced by ``output`` if given."""
    assessment = AssessmentFactory(contact_email="ada@engines.example")
    three_path_use_cases(assessment)
    assessment_submit(assessment=assessment, token=assessment.token)
    if output is not None:
        store_answer(assessment, output)
    return assessment


def chart_labels(page) -> list[dict]:
    """Every text of every chart: its box, whether it is inside its chart, its size."""
    return page.evaluate(
        """() => [...document.querySelectorAll("svg.chart__svg")].flatMap((svg) => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll("text")].map((text) => {
                const r = text.getBoundingClientRect();
                return {
                    text: text.textContent,
                    box: [r.left, r.top, r.right, r.bottom],
                    inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                        && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5,
                    px: parseFloat(getComputedStyle(text).fontSize) * box.width
                        / svg.viewBox.baseVal.width,
                };
            });
        })"""
    )


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if a["box"][0] < b["box"][2]
        and b["box"][0] < a["box"][2]
        and a["box"][1] < b["box"][3]
        and b["box"][1] < a["box"][3]
    ]


def assert_reads_well(page, width: int, height: int) -> None:
    """Totals on the first screen, nothing sideways, every chart label inside and apart."""
    assert page.locator(".totals").bounding_box()["y"] < height
    assert page.locator(".options-table__row--chosen").count() == 3
    assert page.locator("svg.chart__svg").count() == 3
    # Nothing scrolls sideways, the options tables included.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    labels = chart_labels(page)
    assert len(labels) > 15
    assert [item["text"] for item in labels if not item["inside"]] == []
    assert min(item["px"] for item in labels) >= 10.5
    assert overlapping(labels) == []
    # On a phone each option is a block of its own, its figures labelled.
    display = page.locator(".options-table td").first.evaluate(
        "(td) => getComputedStyle(td).display"
    )
    assert display == ("flex" if width < 640 else "table-cell")


@pytest.mark.parametrize(("width", "height", "label"), SIZES)
def test_result_page_of_the_engines_answer_reads_well(
    live_server, page_factory, output_dir, active_price_book, width, height, label
):
    assessment = submitted_with()
    page = page_factory(width=width, height=height)

    page.goto(f"{live_server.url}/assess/{assessment.token}/result/")

    assert_reads_well(page, width, height)
    page.screenshot(path=output_dir / f"result-engine-{label}.png", full_page=True)
    assert page.console_errors == []


@pytest.mark.parametrize(("width", "height", "label"), SIZES)
def test_result_page_shows_totals_options_warnings_and_charts(
    live_server, page_factory, output_dir, active_price_book, width, height, label
):
    assessment = submitted_with(answer_2026_2())
    page = page_factory(width=width, height=height)

    page.goto(f"{live_server.url}/assess/{assessment.token}/result/")

    assert page.locator(".totals").inner_text().split("\n") == [
        "A month, to run",
        "$820",
        "Once, to set up",
        "$36,000",
        "Over three years, people included",
        "$220,000",
    ]
    assert (
        page.locator(".recommended-option")
        .first.inner_text()
        .startswith("Recommended: A small model through an API (GPT-5.4 nano)")
    )
    assert page.locator(".warning").count() == 2
    assert page.locator(".options-table__row--out").count() == 3
    assert_reads_well(page, width, height)
    page.screenshot(path=output_dir / f"result-2026.2-{label}.png", full_page=True)
    assert page.console_errors == []


@pytest.mark.parametrize(("width", "height", "label"), SIZES)
def test_result_page_of_a_2026_1_answer_names_its_engine_and_draws_no_chart(
    live_server, page_factory, output_dir, active_price_book, width, height, label
):
    assessment = submitted_with(as_2026_1(answer_2026_2()))
    page = page_factory(width=width, height=height)

    page.goto(f"{live_server.url}/assess/{assessment.token}/result/")

    page.get_by_text("Made by engine version 2026.1").wait_for()
    assert page.locator("svg.chart__svg").count() == 0
    assert page.locator(".totals").count() == 0
    assert page.locator("table.costs").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=output_dir / f"result-2026.1-{label}.png", full_page=True)
    assert page.console_errors == []
