"""A consultant finds a client's bounced email on the prep sheet and corrects the
address, in Chromium."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from advisor.models import Assessment
from advisor.services import assessment_submit
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.helpers.admin_roles import consultant_create, staff_groups_create

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("active_price_book"),
]

PASSWORD = "a-long-consultant-password"
REFUSED = "550 5.1.1 <ada@nortwind.example>: Recipient address rejected: User unknown"


def test_consultant_corrects_a_bounced_address_from_the_prep_sheet(
    live_server, page_factory, output_dir
):
    staff_groups_create()
    amelia = consultant_create(display_name="Amelia Hart")
    amelia.user.username = "amelia"
    amelia.user.set_password(PASSWORD)
    amelia.user.save()
    assessment = AssessmentFactory(
        company="Northwind Bank",
        contact_name="Ada Lovelace",
        contact_email="ada@nortwind.example",
        assigned_to=amelia.user,
    )
    UseCaseFactory(assessment=assessment, name="Support summaries")
    assessment_submit(assessment=assessment)
    now = timezone.now()
    OutboundEmail.objects.create(
        kind="assessment_summary",
        to="ada@nortwind.example",
        subject="Your AI stack recommendation",
        body_text="Your result.",
        body_html="<p>Your result.</p>",
        dedupe_key="assessment-summary:e2e",
        status="bounced",
        sent_at=now,
        bounced_at=now,
        last_error=REFUSED,
        related_model="advisor.assessment",
        related_id=str(assessment.pk),
    )

    page = page_factory()
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("amelia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/advisor/assessment/{assessment.pk}/change/")

    banner = page.get_by_role("alert")
    expect(banner).to_contain_text(
        f"The client's result summary email bounced: {REFUSED}"
    )
    expect(page.locator(".delivery-status--bounced")).to_have_text("Bounced")
    page.screenshot(path=output_dir / "1-prep-sheet-bounced.png", full_page=True)

    banner.get_by_role("link", name="Correct the address").click()
    page.get_by_label("The client's correct email address").fill(
        "ada@northwind.example"
    )
    page.get_by_role("button", name="Correct and resend").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "The client's address is now ada@northwind.example and sent "
        "“Your AI stack recommendation” again to it."
    )
    expect(page.get_by_role("alert")).to_have_count(0)
    page.screenshot(path=output_dir / "2-corrected.png", full_page=True)
    assert Assessment.objects.get().contact_email == "ada@northwind.example"
    assert OutboundEmail.objects.filter(to="ada@northwind.example").count() == 1
