"""A client completes a three-use-case assessment in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from advisor.models import Assessment, Recommendation, UseCase
from advisor.services import assessment_submit
from tests.factories.advisor import AssessmentFactory, UseCaseFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_use_case(page, *, name, task, volume, latency, extra=()):
    page.get_by_label("Give this use case a short name").fill(name)
    page.get_by_label("What must the model do?").select_option(task)
    page.get_by_label("How many requests or predictions a month?").fill(str(volume))
    page.get_by_label(latency).check()
    for label in extra:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Save use case").click()
    page.get_by_role("heading", name="Your use cases").wait_for()


@pytest.mark.parametrize(("width", "label"), [(390, "phone"), (1280, "desktop")])
def test_wizard_three_use_cases_to_a_hybrid_result(
    live_server, page_factory, output_dir, active_price_book, width, label
):
    page = page_factory(width=width, height=844 if width == 390 else 900)
    page.goto(live_server.url + "/assess/")
    page.get_by_role("button", name="Start the assessment").click()

    # About you, by keyboard only.
    page.get_by_role("heading", name="About you").wait_for()
    page.get_by_label("Your name").focus()
    page.keyboard.type("Ada Lovelace")
    page.keyboard.press("Tab")
    page.keyboard.type("ada@engines.example")
    page.keyboard.press("Tab")
    page.keyboard.type("Analytical Engines")
    page.keyboard.press("Enter")

    # An error first: the step re-renders in place with the message beside the field.
    page.get_by_role("heading", name="Your organisation").wait_for()
    about_url = page.url.replace("/organisation/", "/about/")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    page.screenshot(
        path=output_dir / f"organisation-errors-{label}.png", full_page=True
    )
    page.get_by_label("Industry").select_option("financial_services")
    page.get_by_label("How many people can train and run ML models today?").fill("2")
    page.get_by_label("Yes, under a business agreement").check()
    page.get_by_label("GDPR (EU/UK personal data)").check()
    page.get_by_label("PCI DSS (payment card data)").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Your use cases").wait_for()
    page.wait_for_url(re.compile(r"/use-cases/$"))
    assert Assessment.objects.get().regulations == ["gdpr", "pci_dss"]

    # The browser's back button mid-way: the previous step comes back whole, answers kept.
    page.go_back()
    page.get_by_role("heading", name="Your organisation").wait_for()
    field = page.get_by_label("How many people can train and run ML models today?")
    assert field.input_value() == "2"
    assert page.locator("header.site-header").count() == 1
    page.go_forward()
    page.get_by_role("heading", name="Your use cases").wait_for()

    page.get_by_role("link", name="Add a use case").click()
    fill_use_case(
        page,
        name="Support summaries",
        task="summarization",
        volume=20000,
        latency="Quick: under 2 seconds",
    )
    page.get_by_role("link", name="Add another use case").click()
    fill_use_case(
        page,
        name="Invoice fields",
        task="extraction",
        volume=60000,
        latency="Quick: under 2 seconds",
        extra=["Critical: every answer must follow one exact structure"],
    )
    page.get_by_role("link", name="Add another use case").click()
    fill_use_case(
        page,
        name="Card fraud",
        task="fraud_detection",
        volume=3000000,
        latency="Instantly: under 0.1 seconds (a prediction inside another system's request)",
        extra=["A lot: a small gain in quality is a competitive edge"],
    )
    page.screenshot(path=output_dir / f"use-cases-{label}.png", full_page=True)

    page.get_by_role("button", name="Continue to check your answers").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    expect(
        page.get_by_text("GDPR (EU/UK personal data), PCI DSS (payment card data)")
    ).to_be_visible()
    page.screenshot(path=output_dir / f"check-{label}.png", full_page=True)
    page.get_by_role("button", name="Get my recommendation").click()

    page.get_by_role("heading", name=re.compile("Your stack")).wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "Your stack: Hybrid"
    # A chart of the options for each use case; a break-even band for the two
    # language ones.
    charts = page.locator("svg.chart__svg")
    assert charts.count() == 3
    assert page.locator("svg.chart__svg .chart__band").count() == 2
    totals = page.locator(".totals")
    assert totals.is_visible()
    assert totals.bounding_box()["y"] < (844 if width == 390 else 900)
    output = Recommendation.objects.get().output
    assert [uc["path"] for uc in output["use_cases"]] == [
        "api",
        "fine_tune",
        "classical_ml",
    ]
    assert output["stack"] == "hybrid"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Every label in the charts is drawn inside its chart and large enough to read.
    labels = page.evaluate(
        """() => [...document.querySelectorAll("svg.chart__svg")].flatMap((svg) => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll("text")].map((text) => {
                const r = text.getBoundingClientRect();
                return {
                    text: text.textContent,
                    tick: text.classList.contains("chart__label"),
                    box: [r.left, r.top, r.right, r.bottom],
                    inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                        && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5,
                    px: parseFloat(getComputedStyle(text).fontSize) * box.width
                        / svg.viewBox.baseVal.width,
                };
            });
        })"""
    )
    assert len(labels) > 20
    assert [item["text"] for item in labels if not item["inside"]] == []
    assert min(item["px"] for item in labels) >= 10.5
    ticks = [item for item in labels if item["tick"]]
    assert [
        (a["text"], b["text"])
        for i, a in enumerate(ticks)
        for b in ticks[i + 1 :]
        if a["box"][0] < b["box"][2]
        and b["box"][0] < a["box"][2]
        and a["box"][1] < b["box"][3]
        and b["box"][1] < a["box"][3]
    ] == []
    page.screenshot(path=output_dir / f"result-{label}.png", full_page=True)

    # An old step's address now shows the result: nothing changes, nothing submits twice.
    page.goto(about_url)
    page.get_by_role("heading", name=re.compile("Your stack")).wait_for()
    assert Recommendation.objects.count() == 1
    # The only failed load is the invalid form's own 422, which htmx swapped in.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"
    ]


def expect_step_shown(page, heading: str, title: str) -> None:
    """The new step is what the tab, the focus and the live region now report."""
    expect(page).to_have_title(f"{title} · Assessment · Consult")
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_have_text(heading)
    expect(h1).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(heading)
    box = h1.bounding_box()
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= 844


def test_each_step_swapped_in_is_announced_focused_titled_and_on_screen(
    live_server, page_factory, output_dir
):
    assessment = AssessmentFactory()
    page = page_factory(width=390, height=844)
    page.goto(f"{live_server.url}/assess/{assessment.token}/about/")
    expect(page).to_have_title("About you (step 1 of 4) · Assessment · Consult")

    page.get_by_role("button", name="Save and continue").click()
    expect_step_shown(page, "Your organisation", "Your organisation (step 2 of 4)")
    page.get_by_role("button", name="Save and continue").click()
    expect_step_shown(page, "Your use cases", "Your use cases (step 3 of 4)")

    page.get_by_role("link", name="Add a use case").click()
    expect_step_shown(page, "Add a use case", "Your use cases (step 3 of 4)")
    page.get_by_label("Give this use case a short name").fill("Card fraud")
    page.get_by_label("What must the model do?").select_option("fraud_detection")
    page.get_by_label("How many requests or predictions a month?").fill("3000000")
    page.get_by_label("Instantly: under 0.1 seconds").check()
    # Saved from the foot of a long form, the list must still open at its top.
    page.get_by_role("button", name="Save use case").click()
    expect_step_shown(page, "Your use cases", "Your use cases (step 3 of 4)")
    page.screenshot(path=output_dir / "use-cases-after-save-phone.png")

    page.get_by_role("button", name="Continue to check your answers").click()
    expect_step_shown(page, "Check your answers", "Check your answers (step 4 of 4)")
    assert page.console_errors == []


@pytest.mark.parametrize(("width", "label"), [(390, "phone"), (1280, "desktop")])
def test_progress_shows_four_bars_and_every_link_in_it_can_be_seen(
    live_server, page_factory, output_dir, width, label
):
    assessment = AssessmentFactory()
    page = page_factory(width=width, height=844 if width == 390 else 900)
    page.goto(f"{live_server.url}/assess/{assessment.token}/use-cases/")
    progress = page.get_by_role("navigation", name="Assessment progress")
    expect(progress.get_by_text("Step 3 of 4")).to_be_visible()
    expect(progress.get_by_text("Your use cases")).to_be_visible()
    bars = page.evaluate(
        """() => [...document.querySelectorAll(".progress__step")].map((step) => {
            const box = step.getBoundingClientRect();
            return box.width > 0 && parseFloat(getComputedStyle(step).borderTopWidth);
        })"""
    )
    assert bars == [5, 5, 5, 5]

    # Keyboard users must see where they are: no focus stop in the progress is
    # an empty box, and each shows its focus outline.
    links = progress.get_by_role("link")
    assert [links.nth(i).text_content() for i in range(links.count())] == [
        "About you (done)",
        "Your organisation (done)",
    ]
    progress.get_by_role("link", name="About you").focus()
    for step in ("About you", "Your organisation"):
        link = progress.get_by_role("link", name=step)
        expect(link).to_be_focused()
        box = link.bounding_box()
        assert box["width"] >= 24
        assert box["height"] >= 16
        assert link.evaluate("(a) => getComputedStyle(a).outlineStyle") == "solid"
        expect(link).to_be_in_viewport()
        page.screenshot(path=output_dir / f"progress-{step}-{label}.png")
        page.keyboard.press("Tab")
    expect(progress.get_by_role("link")).to_have_count(2)

    progress.get_by_role("link", name="Your organisation").click()
    expect(page).to_have_title("Your organisation (step 2 of 4) · Assessment · Consult")
    assert page.console_errors == []


def test_a_step_left_open_after_submitting_elsewhere_opens_the_result_page(
    live_server, page_factory, output_dir, active_price_book
):
    assessment = AssessmentFactory()
    UseCaseFactory(assessment=assessment)
    page = page_factory()
    page.goto(f"{live_server.url}/assess/{assessment.token}/use-cases/")
    page.get_by_role("heading", name="Your use cases").wait_for()
    assessment_submit(assessment=assessment)  # from another tab

    page.get_by_role("button", name="Continue to check your answers").click()

    page.wait_for_url(re.compile(r"/result/$"))
    page.get_by_role("heading", name=re.compile("Your stack")).wait_for()
    page.screenshot(path=output_dir / "result-from-a-stale-step.png", full_page=True)
    # The result page itself, not drawn inside the old page's wizard.
    assert page.locator("header.site-header").count() == 1
    assert page.locator("footer.site-footer").count() == 1
    assert page.locator("#wizard").count() == 0


def test_result_page_forms_work_in_a_browser(
    live_server, page_factory, active_price_book
):
    # The result page keeps its address out of Referer headers; its forms must still
    # pass CSRF protection, which refuses a POST whose Origin a policy turned to null.
    assessment = AssessmentFactory(contact_email="ada@engines.example")
    UseCaseFactory(assessment=assessment)
    assessment_submit(assessment=assessment, token=assessment.token)
    page = page_factory(width=390, height=844)
    page.goto(f"{live_server.url}/assess/{assessment.token}/result/")

    page.get_by_role("button", name="Email me this result").click()
    page.get_by_text("We are emailing your recommendation").wait_for()

    page.get_by_role("link", name="Delete my data now").click()
    page.get_by_role("button", name="Yes, delete my data").click()
    page.get_by_role("heading", name="Your data is deleted").wait_for()
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert page.console_errors == []


def visible_choices(page, name: str) -> list[str]:
    return page.evaluate(
        """(name) => [...document.querySelectorAll(`input[name=${name}]`)]
            .filter((input) => input.offsetParent !== null).map((input) => input.value)""",
        name,
    )


@pytest.mark.parametrize(("width", "label"), [(390, "phone"), (1280, "desktop")])
def test_use_case_questions_follow_the_task(
    live_server, page_factory, output_dir, width, label
):
    assessment = AssessmentFactory()
    page = page_factory(width=width, height=844 if width == 390 else 900)
    page.goto(f"{live_server.url}/assess/{assessment.token}/use-cases/new/")
    page.get_by_role("heading", name="Add a use case").wait_for()
    audience = page.get_by_role("group", name="Will people talk to it directly?")
    size = page.get_by_role(
        "group", name="How much text goes in and comes out each time?"
    )

    # No task yet: only the speeds every task is offered, and no task's own questions.
    expect(audience).to_be_hidden()
    assert visible_choices(page, "latency") == ["fast", "interactive", "no_limit"]

    task = page.get_by_label("What must the model do?")
    task.select_option("question_answering")
    expect(audience).to_be_visible()
    expect(size).to_be_visible()
    assert visible_choices(page, "latency") == [
        "instant",
        "fast",
        "interactive",
        "seconds",
        "no_limit",
        "batch",
    ]
    page.get_by_label("It can wait hours (an overnight job)").check()
    page.screenshot(path=output_dir / f"language-{label}.png", full_page=True)

    # A prediction: no audience or size question, its own speeds, and the
    # overnight choice it is not offered is no longer ticked.
    task.select_option("fraud_detection")
    expect(audience).to_be_hidden()
    expect(size).to_be_hidden()
    assert visible_choices(page, "latency") == [
        "realtime",
        "fast",
        "interactive",
        "patient",
        "no_limit",
    ]
    assert page.locator("input[name=latency]:checked").count() == 0
    page.screenshot(path=output_dir / f"predictive-{label}.png", full_page=True)

    # Back to a chat task: its audience answer is still there to give.
    task.select_option("content_generation")
    audience.get_by_label("Yes").check()
    page.get_by_label("Give this use case a short name").fill("Reply drafts")
    page.get_by_label("How many requests or predictions a month?").fill("9000")
    page.get_by_label("Very fast: under half a second").check()
    page.get_by_role("button", name="Save use case").click()
    page.get_by_role("heading", name="Your use cases").wait_for()
    use_case = UseCase.objects.get()
    assert (
        use_case.task,
        use_case.user_facing,
        use_case.latency_budget_ms,
        use_case.batch_ok,
    ) == ("content_generation", True, 500, False)

    # Opened again from the list (an htmx swap): the questions follow the saved task.
    page.get_by_role("link", name="Change Reply drafts").click()
    page.get_by_role("heading", name="Change “Reply drafts”").wait_for()
    expect(audience).to_be_visible()
    expect(audience.get_by_label("Yes")).to_be_checked()
    expect(page.get_by_label("Very fast: under half a second")).to_be_checked()
    assert page.console_errors == []
