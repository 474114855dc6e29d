"""The links page and the share page in Chromium: forward the result to a colleague,
open the share link they get, then revoke it and a spare private link."""

import re

import pytest

from advisor import links
from advisor.services import assessment_submit
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, three_path_use_cases

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHARE_PATH = re.compile(r"/assess/shared/[A-Za-z0-9_-]{43}/")


@pytest.mark.parametrize(("width", "height", "label"), [(390, 844, "phone")])
def test_forward_share_and_revoke_in_a_browser(
    live_server, page_factory, output_dir, active_price_book, width, height, label
):
    assessment = AssessmentFactory(contact_name="Ada Lovelace", company="Engines")
    three_path_use_cases(assessment)
    assessment_submit(assessment=assessment)
    spare = links.assessment_link_create(
        assessment=assessment, kind="private", origin="lost_link"
    )
    page = page_factory(width=width, height=height)

    page.goto(f"{live_server.url}/assess/{assessment.token}/result/")
    page.get_by_role("link", name="Forward to a colleague").click()
    page.get_by_label("Your colleague's email address").fill("cfo@engines.example")
    page.get_by_role("button", name="Send a read-only link").click()
    page.get_by_text("We are emailing a read-only link to this result").wait_for()

    [email] = OutboundEmail.objects.filter(kind="assessment_shared")
    share_path = SHARE_PATH.search(email.body_text)[0]
    colleague = page_factory(width=width, height=height)
    colleague.goto(live_server.url + share_path)
    colleague.get_by_text("A read-only copy shared by Ada Lovelace.").wait_for()
    assert colleague.locator("svg.chart__svg").count() == 3
    assert colleague.locator("form").count() == 0
    assert colleague.get_by_text("Delete my data").count() == 0
    assert colleague.evaluate("document.documentElement.scrollWidth") <= width
    colleague.screenshot(path=output_dir / f"shared-{label}.png", full_page=True)

    page.goto(f"{live_server.url}/assess/{assessment.token}/links/")
    # Two private links; the share links of the PDF summary and of the colleague.
    assert page.locator(".links-table").first.locator("tbody tr").count() == 2
    assert page.locator(".links-table").nth(1).locator("tbody tr").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=output_dir / f"links-{label}.png", full_page=True)
    colleague_row = page.locator(".links-table tbody tr").filter(
        has_text="cfo@engines.example"
    )
    colleague_row.get_by_role("button", name=re.compile("^Revoke")).click()
    page.get_by_text("The link is revoked").wait_for()
    page.get_by_role("button", name="Revoke every other private link").click()
    page.get_by_text("1 other private link revoked").wait_for()
    assert page.locator(".links-table").first.locator("tbody tr").count() == 1
    assert page.get_by_text("The link you are using", exact=True).count() == 1
    assert page.get_by_text("cfo@engines.example").count() == 0

    assert page.console_errors == []
    assert colleague.console_errors == []
    assert colleague.goto(live_server.url + share_path).status == 404
    assert colleague.goto(f"{live_server.url}/assess/{spare}/result/").status == 404
