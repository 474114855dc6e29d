"""The API's interactive docs work under the site's Content Security Policy, with
every asset served by this site (no CDN)."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_from_this_site_under_the_csp(
    live_server, page_factory, output_dir
):
    page = page_factory()
    origins = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))

    response = page.goto(live_server.url + "/api/v1/docs")
    page.get_by_role("heading", name="Consult API").first.wait_for()
    page.get_by_text("/api/v1/slots").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table .response .response-col_status")
    status.first.wait_for()

    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert origins == {urlsplit(live_server.url).netloc}
    assert status.first.inner_text() == "200"
    page.screenshot(path=output_dir / "api-docs.png", full_page=False)
    assert page.console_errors == []
