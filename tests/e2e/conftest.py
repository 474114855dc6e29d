"""Browser fixtures: Debian's Chromium driven by Playwright.

Playwright's own browser download cannot run here, so the system Chromium is
launched by path. Screenshots go under ``test-results/<test name>/``.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers.services import require_service

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API keeps an event loop running in this thread; the test's
# own ORM calls are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    require_service(executable is not None, "Debian's chromium")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- e2e only

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def output_dir(request) -> Path:
    folder = ROOT / "test-results" / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ConsoleErrors(list):
    def attach(self, page) -> None:
        page.on(
            "console",
            lambda message: (
                self.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.append(str(error)))


@pytest.fixture
def page_factory(browser):
    contexts = []

    def make(
        *,
        width: int = 1280,
        height: int = 900,
        timezone_id: str | None = None,
        locale: str | None = None,
        javascript: bool = True,
    ):
        # ``locale`` also sets the Accept-Language header the browser sends.
        context = browser.new_context(
            viewport={"width": width, "height": height},
            timezone_id=timezone_id,
            locale=locale,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = ConsoleErrors()
        page.console_errors.attach(page)
        return page

    yield make
    for context in contexts:
        context.close()
