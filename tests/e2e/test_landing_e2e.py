import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "label"), [(390, "phone"), (1280, "desktop")])
def test_landing_renders_without_console_errors(
    live_server, page_factory, output_dir, width, label
):
    page = page_factory(width=width, height=844 if width == 390 else 900)

    page.goto(live_server.url + "/")

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().startswith("Buy an API, fine-tune a small model")
    assert (
        page.get_by_role("link", name="Start the free assessment").get_attribute("href")
        == "/assess/"
    )
    # htmx loaded from this site, under the CSP, without eval.
    assert page.evaluate("typeof window.htmx") == "object"
    # Nothing wider than the viewport: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=output_dir / f"landing-{label}.png", full_page=True)
    assert page.console_errors == []


def test_landing_start_link_is_reachable_by_keyboard(live_server, page_factory):
    page = page_factory()
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    assert (
        page.evaluate("document.activeElement.textContent.trim()")
        == "Skip to main content"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
