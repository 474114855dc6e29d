"""An assessment's page in the admin, read as a prep sheet per role: the answers,
the advice, the calls, the review, and the summary PDF."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.base import ContentFile
from django.utils import timezone

from advisor.engine import ENGINE_VERSION
from advisor.engine.result import OPTIONS
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import ROLES, consultant_create, user_for
from tests.helpers.answers import answer_2026_2, as_2026_1, store_answer
from tests.helpers.assessment_admin import CHANGELIST, change_url, hybrid, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


# --- The prep sheet -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_assessment_detail_reads_like_a_prep_sheet_for_each_role(client, role):
    mine = consultant_create()
    assessment = hybrid(company="Prep Co", role="CTO", industry="retail")
    booking = BookingFactory(consultant=mine, assessment=assessment)
    client.force_login(user_for(role, mine))

    response = client.get(change_url(assessment))

    html = response.content.decode()
    assert response.status_code == 200
    # The answers in words, per use case.
    assert "Use case 1: Support summaries" in html
    assert "Use case 2: Card fraud" in html
    assert (
        "<dt>What the model must do</dt><dd>Summarise documents or conversations</dd>"
        in html
    )
    assert "<dt>Requests a month</dt><dd>40,000</dd>" in html
    assert "<dt>Answer needed within</dt><dd>2 seconds</dd>" in html
    assert "<dt>Size of each request</dt><dd>Typical for the task</dd>" in html
    assert "Retail and e-commerce" in html
    # The advice, its reasons and costs, and where it came from.
    assert '<span class="path-tag path-hybrid">Hybrid</span>' in html
    assert '<span class="path-tag path-api">Buy an API</span>' in html
    assert "Fraud detection learns from your own transaction history" in html
    assert '<th scope="row">Model API, a month</th><td>$28.50</td>' in html
    assert f"Engine {ENGINE_VERSION}, price book" in html
    assert "default-2026-12" in html
    # The whole assessment's totals, each use case's option, its warnings' codes.
    assert "<dt>Three years, people included</dt>" in html
    assert html.count('<p class="prep-option">Option: <strong>') == 2
    assert "<code>low_volume_predictive</code> Too little data to train a model" in html
    # The call, one click away.
    assert f'href="/admin/bookings/booking/{booking.pk}/change/"' in html
    # Raw JSON never shows.
    assert '"path":' not in html
    assert "{&#x27;" not in html
    # Only the review is a form field.
    assert 'name="review_status"' in html
    assert 'name="text"' in html
    for answer in ("company", "contact_email", "industry", "monthly_requests"):
        assert f'name="{answer}"' not in html


# Session, user, permissions (not for a superuser), the assessment twice (the form's own
# read), use cases, calls; the same for one use case and call as for three.
# Then the notes on it and on its calls, and the emails about them; a manager's form
# lists the staff to assign it to, and a consultant's checks the assessment is theirs
# and that they are a consultant (who may book a call for the client).
DETAIL_QUERIES = {"superuser": 11, "manager": 14, "consultant": 14}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("count", [1, 3])
def test_prep_sheet_queries_do_not_grow_with_use_cases_or_calls(
    client, django_assert_num_queries, role, count
):
    mine = consultant_create()
    assessment = submitted(
        *[(f"Case {n}", "summarization") for n in range(count)], company="Prep Co"
    )
    for n in range(count):
        BookingFactory(
            consultant=mine,
            assessment=assessment,
            start=timezone.now() + timedelta(days=1, hours=n),
        )
    client.force_login(user_for(role, mine))
    # Caches filled once per process (content types, templates) do not count.
    client.get(change_url(assessment))

    with django_assert_num_queries(DETAIL_QUERIES[role]):
        response = client.get(change_url(assessment))

    assert response.status_code == 200
    assert response.content.decode().count('<h2 id="use-case-') == count


def test_consultant_saves_the_status_but_not_the_clients_answers(client):
    mine = consultant_create()
    assessment = hybrid(company="Prep Co")
    BookingFactory(consultant=mine, assessment=assessment)
    client.force_login(mine.user)

    response = client.post(
        change_url(assessment),
        {
            "review_status": "contacted",
            "review_status_was": "new",
            "company": "Hacked Ltd",
            "contact_email": "attacker@example.com",
            "status": "draft",
        },
    )

    assessment.refresh_from_db()
    entry = LogEntry.objects.get()
    assert response.status_code == 302
    assert assessment.review_status == "contacted"
    assert (assessment.company, assessment.status) == ("Prep Co", "submitted")
    assert assessment.contact_email != "attacker@example.com"
    assert entry.user == mine.user
    assert "Review status" in entry.get_change_message()


def test_consultant_sees_their_own_call_on_the_sheet_and_only_a_count_of_others(
    client,
):
    mine = consultant_create()
    assessment = hybrid()
    own = BookingFactory(consultant=mine, assessment=assessment)
    other = BookingFactory(consultant=consultant_create(), assessment=assessment)
    client.force_login(mine.user)

    html = client.get(change_url(assessment)).content.decode()

    assert f"/admin/bookings/booking/{own.pk}/change/" in html
    assert f"/admin/bookings/booking/{other.pk}/change/" not in html
    assert "And 1 call with another consultant." in html


def test_assessment_page_for_an_id_that_is_not_a_number_is_not_found(admin_client):
    hybrid()

    # "²" is a digit to str.isdigit() but not a number to int().
    response = admin_client.get(f"{CHANGELIST}\u00b2/change/", follow=True)

    assert response.status_code == 200
    assert "doesn\u2019t exist. Perhaps it was deleted?" in response.content.decode()


def test_prep_sheet_shows_totals_options_warning_and_compliance_codes(admin_client):
    assessment = submitted(
        ("Support summaries", "summarization"),
        ("Invoice fields", "extraction"),
        ("Card fraud", "fraud_detection"),
    )
    store_answer(assessment, answer_2026_2())

    html = admin_client.get(change_url(assessment)).content.decode()

    assert (
        "<div><dt>A month, to run</dt><dd>$820</dd></div>"
        "<div><dt>Once, to set up</dt><dd>$36,000</dd></div>"
        "<div><dt>Three years, people included</dt><dd>$220,000</dd></div>"
    ) in html
    options = [code for code in OPTIONS if f"<code>{code}</code>" in html]
    assert options == ["api_small", "hosted_fine_tune", "vendor_tool"]
    assert "<li><code>latency_infeasible</code> No option meets the answer" in html
    assert [
        code
        for code in ("gdpr_dpa", "eu_residency", "pci_dss_scope", "hipaa_baa")
        if f"<li><code>{code}</code>" in html
    ] == ["gdpr_dpa", "eu_residency", "pci_dss_scope"]


def test_prep_sheet_of_a_2026_1_answer_has_no_totals_or_options(admin_client):
    assessment = hybrid()
    output = answer_2026_2()
    del output["use_cases"][1]  # the hybrid assessment's two use cases
    store_answer(assessment, as_2026_1(output))

    html = admin_client.get(change_url(assessment)).content.decode()

    assert "Engine 2026.1, price book" in html
    assert "prep-totals" not in html
    assert "prep-option" not in html
    assert "<h4>Warnings</h4>" not in html
    assert '<th scope="row">Model API, a month</th><td>$570</td>' in html


def test_draft_assessment_page_says_there_is_no_advice_yet(admin_client):
    draft = AssessmentFactory(company="")
    UseCaseFactory(assessment=draft, name="Unfinished")

    html = admin_client.get(change_url(draft)).content.decode()

    assert "No advice yet: the client has not submitted." in html
    assert "Use case 1: Unfinished" in html
    assert "Not yet: still a draft" in html


def test_prep_sheet_shows_the_rules_audience_and_batch_answers(admin_client):
    assessment = submitted(
        ("Help bot", "question_answering"),
        ("Nightly scans", "document_extraction"),
        ("Card fraud", "fraud_detection"),
        regulations=["hipaa", "eu_ai_act"],
    )
    help_bot, scans, fraud = assessment.use_cases.all()
    help_bot.user_facing = True
    help_bot.save()
    scans.latency_budget_ms, scans.batch_ok = None, True
    scans.save()
    fraud.latency_budget_ms = None
    fraud.save()
    unruled = AssessmentFactory(regulations=[])

    html = admin_client.get(change_url(assessment)).content.decode()
    none = admin_client.get(change_url(unruled)).content.decode()

    assert (
        "<dt>Rules that apply</dt>"
        "<dd>HIPAA (US health data), EU AI Act (AI used in the EU)</dd>"
    ) in html
    assert "<dt>Rules that apply</dt><dd>None ticked</dd>" in none
    first, second, third = html.split('<section class="module prep-use-case"')[1:]
    assert "<dt>People talk to it directly</dt><dd>Yes</dd>" in first
    assert "<dt>Answer needed within</dt><dd>2 seconds</dd>" in first
    assert "People talk to it directly" not in second
    assert (
        "<dt>Answer needed within</dt><dd>Hours: an overnight job (batch)</dd>"
        in second
    )
    assert "People talk to it directly" not in third
    assert "<dt>Answer needed within</dt><dd>No hard limit</dd>" in third
    # Read-only: none of these answers is a form field.
    for answer in ("regulations", "user_facing", "batch_ok"):
        assert f'name="{answer}"' not in html


def test_assessments_cannot_be_added_or_deleted_by_a_consultant(client):
    mine = consultant_create()
    assessment = hybrid()
    client.force_login(mine.user)

    assert client.get("/admin/advisor/assessment/add/").status_code == 403
    assert (
        client.get(f"/admin/advisor/assessment/{assessment.pk}/delete/").status_code
        == 403
    )


# --- The summary PDF ------------------------------------------------------------------


def with_pdf(assessment):
    assessment.summary_pdf.save(
        "summary.pdf", ContentFile(b"%PDF-1.4 the client's copy"), save=False
    )
    assessment.staff_summary_pdf.save(
        "staff.pdf", ContentFile(b"%PDF-1.4 summary"), save=False
    )
    assessment.summary_pdf_built_at = timezone.now()
    assessment.save(
        update_fields=["summary_pdf", "staff_summary_pdf", "summary_pdf_built_at"]
    )
    return assessment


@pytest.mark.parametrize("role", ROLES)
def test_summary_pdf_is_streamed_to_staff_from_private_storage_without_links(
    client, role
):
    assessment = with_pdf(hybrid(company="Prep Co"))
    client.force_login(user_for(role))

    page = client.get(change_url(assessment)).content.decode()
    response = client.get(f"/admin/advisor/assessment/{assessment.pk}/summary.pdf")

    assert f'href="/admin/advisor/assessment/{assessment.pk}/summary.pdf"' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert 'filename="consult-summary-prep-co.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 summary"


def test_summary_pdf_is_not_for_visitors_or_non_staff(client, django_user_model):
    assessment = with_pdf(hybrid())
    url = f"/admin/advisor/assessment/{assessment.pk}/summary.pdf"

    anonymous = client.get(url)
    client.force_login(django_user_model.objects.create_user("visitor"))
    visitor = client.get(url)

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")
    assert visitor.status_code == 302
    assert (
        client.get(f"/media-not-served/{assessment.summary_pdf.name}").status_code
        == 404
    )


def test_summary_pdf_not_built_yet_is_a_404(admin_client):
    assessment = hybrid()

    response = admin_client.get(
        f"/admin/advisor/assessment/{assessment.pk}/summary.pdf"
    )

    assert response.status_code == 404
