"""The assessments admin: the prep sheet, filters, the CSV export and the PDF, per role."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.base import ContentFile
from django.utils import timezone

from advisor.admin import csv_cell
from advisor.models import Assessment, PriceBook
from advisor.services import assessment_submit
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import ROLES, consultant_create, user_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

CHANGELIST = "/admin/advisor/assessment/"
SUBMITTED = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)


def change_url(assessment) -> str:
    return f"/admin/advisor/assessment/{assessment.pk}/change/"


def submitted(*cases, submitted_at=SUBMITTED, **kwargs):
    """A submitted assessment; ``cases`` are (name, task) pairs."""
    assessment = AssessmentFactory(**kwargs)
    for name, task in cases or [("Support summaries", "summarization")]:
        UseCaseFactory(assessment=assessment, name=name, task=task)
    assessment_submit(assessment=assessment)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=submitted_at)
    assessment.refresh_from_db()
    return assessment


def hybrid(**kwargs):
    return submitted(
        ("Support summaries", "summarization"),
        ("Card fraud", "fraud_detection"),
        **kwargs,
    )


def results(response) -> list[str]:
    return [a.company for a in response.context["cl"].result_list]


# --- The list -------------------------------------------------------------------------

# Session, user, permissions (groups for a Manager), counts, rows, date hierarchy.
CHANGELIST_QUERIES = {"superuser": 8, "manager": 10, "consultant": 9}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("count", [1, 3])
def test_assessment_changelist_queries_do_not_grow_with_rows(
    client, django_assert_num_queries, role, count
):
    mine = consultant_create()
    for index in range(count):
        assessment = hybrid(company=f"Company {index}")
        BookingFactory(
            consultant=mine,
            assessment=assessment,
            start=timezone.now() + timedelta(days=2, hours=index),
        )
    client.force_login(user_for(role, mine))
    # Caches filled once per process (content types, templates) do not count.
    client.get(CHANGELIST)

    with django_assert_num_queries(CHANGELIST_QUERIES[role]):
        response = client.get(CHANGELIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<td class="field-verdict">Hybrid</td>') == count
    assert html.count('alt="True"') == count


def test_assessment_list_shows_the_columns_a_consultant_triages_by(admin_client):
    assessment = hybrid(company="Northwind Bank", contact_name="Ada Lovelace")
    UseCaseFactory(assessment=AssessmentFactory(company=""), name="Unfinished")

    response = admin_client.get(CHANGELIST)

    row = response.context["cl"].result_list[0]
    html = response.content.decode()
    assert row == assessment
    assert "Northwind Bank" in html
    assert (
        f'Ada Lovelace<br><span class="quiet">{assessment.contact_email}</span>' in html
    )
    assert '<td class="field-use_case_count">2</td>' in html
    assert '<td class="field-api_spend">$105</td>' in html
    assert '<td class="field-submitted">01 Mar 2027</td>' in html
    # Drafts come after every submission.
    assert results(response) == ["Northwind Bank", ""]


def test_assessment_list_filters_by_verdict_path_industry_booked_and_status(
    admin_client,
):
    both = hybrid(company="Both", industry="retail")
    api = submitted(("Summaries", "summarization"), company="Api", industry="retail")
    classical = submitted(
        ("Fraud", "fraud_detection"), company="Classical", industry="healthcare"
    )
    BookingFactory(assessment=api)
    Assessment.objects.filter(pk=classical.pk).update(review_status="won")

    def companies(query: str) -> list[str]:
        return sorted(results(admin_client.get(f"{CHANGELIST}?{query}")))

    assert both.recommendation.stack == "hybrid"
    assert companies("verdict=hybrid") == ["Both"]
    assert companies("verdict=api") == ["Api"]
    assert companies("path=api") == ["Api", "Both"]
    assert companies("path=classical_ml") == ["Both", "Classical"]
    assert companies("path=fine_tune") == []
    assert companies("industry=retail") == ["Api", "Both"]
    assert companies("booked=yes") == ["Api"]
    assert companies("booked=no") == ["Both", "Classical"]
    assert companies("review_status__exact=won") == ["Classical"]
    assert companies("q=" + api.contact_email) == ["Api"]


@pytest.mark.parametrize("value", ["nope", "%00"])
def test_assessment_list_ignores_an_industry_it_does_not_offer(admin_client, value):
    submitted(company="Retail", industry="retail")
    submitted(company="Health", industry="healthcare")

    response = admin_client.get(f"{CHANGELIST}?industry={value}")

    assert response.status_code == 200
    assert sorted(results(response)) == ["Health", "Retail"]


# --- The prep sheet ---------------------------------------------------------------------


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
    assert '<th scope="row">Model API, a month</th><td>$105</td>' in html
    assert "Engine 2026.1, price book" in html
    assert "default-2026-11" in html
    # The call, one click away.
    assert f'href="/admin/bookings/booking/{booking.pk}/change/"' in html
    # Raw JSON never shows.
    assert '"path":' not in html
    assert "{&#x27;" not in html
    # Only the review is a form field.
    assert 'name="consultant_notes"' in html
    assert 'name="review_status"' in html
    for answer in ("company", "contact_email", "industry", "monthly_requests"):
        assert f'name="{answer}"' not in html


# Session, user, permissions (not for a superuser), the assessment twice (the form's own
# read), use cases, calls; the same for one use case and call as for three.
DETAIL_QUERIES = {"superuser": 7, "manager": 10, "consultant": 9}


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


def test_price_book_activation_is_logged(admin_client, active_price_book):
    newer = PriceBook.objects.create(
        name="prices-2027-01", as_of="2027-01-05", data=active_price_book.data
    )

    admin_client.post(
        "/admin/advisor/pricebook/",
        {"action": "activate", "_selected_action": [newer.pk], "index": "0"},
    )

    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.get_change_message()) == (
        str(newer.pk),
        "Made the active price book.",
    )


def test_consultant_saves_notes_and_status_but_not_the_clients_answers(client):
    mine = consultant_create()
    assessment = hybrid(company="Prep Co")
    client.force_login(mine.user)

    response = client.post(
        change_url(assessment),
        {
            "review_status": "contacted",
            "consultant_notes": "Wants to start with support summaries.",
            "company": "Hacked Ltd",
            "contact_email": "attacker@example.com",
            "status": "draft",
        },
    )

    assessment.refresh_from_db()
    entry = LogEntry.objects.get()
    assert response.status_code == 302
    assert assessment.review_status == "contacted"
    assert assessment.consultant_notes == "Wants to start with support summaries."
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


def test_draft_assessment_page_says_there_is_no_advice_yet(admin_client):
    draft = AssessmentFactory(company="")
    UseCaseFactory(assessment=draft, name="Unfinished")

    html = admin_client.get(change_url(draft)).content.decode()

    assert "No advice yet: the client has not submitted." in html
    assert "Use case 1: Unfinished" in html
    assert "Not yet: still a draft" in html


def test_assessments_cannot_be_added_or_deleted_by_a_consultant(client):
    mine = consultant_create()
    assessment = hybrid()
    client.force_login(mine.user)

    assert client.get("/admin/advisor/assessment/add/").status_code == 403
    assert (
        client.get(f"/admin/advisor/assessment/{assessment.pk}/delete/").status_code
        == 403
    )


# --- The summary PDF --------------------------------------------------------------------


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


# --- CSV ---------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


HEADER = [
    "Reference",
    "Submitted (UTC)",
    "Company",
    "Contact",
    "Email",
    "Role",
    "Industry",
    "Verdict",
    "Use cases",
    "API spend per month (USD)",
    "Booked",
    "Review status",
]


def test_csv_export_has_the_filtered_rows_exactly(admin_client):
    first = hybrid(
        company="Northwind, Bank",
        contact_name='Ada "The Countess" Lovelace',
        contact_email="ada@northwind.example",
        role="CTO",
        industry="financial_services",
    )
    second = submitted(
        ("Summaries", "summarization"),
        company="Acme",
        contact_name="Bob",
        contact_email="bob@acme.example",
        role="",
        industry="retail",
        submitted_at=datetime(2027, 3, 2, 14, 5, tzinfo=UTC),
    )
    submitted(("Fraud", "fraud_detection"), company="Left out", industry="healthcare")
    BookingFactory(assessment=second)

    page = admin_client.get(f"{CHANGELIST}?path=api")
    response = admin_client.get("/admin/advisor/assessment/export.csv?path=api")

    assert (
        'href="/admin/advisor/assessment/export.csv?path=api"' in page.content.decode()
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="assessments-'
    )
    assert csv_rows(response) == [
        HEADER,
        [
            str(second.pk),
            "2027-03-02 14:05",
            "Acme",
            "Bob",
            "bob@acme.example",
            "",
            "Retail and e-commerce",
            "Buy an API",
            "1",
            "105.00",
            "yes",
            "New",
        ],
        [
            str(first.pk),
            "2027-03-01 09:30",
            "Northwind, Bank",
            'Ada "The Countess" Lovelace',
            "ada@northwind.example",
            "CTO",
            "Banking, insurance and financial services",
            "Hybrid",
            "2",
            "105.00",
            "no",
            "New",
        ],
    ]


def test_csv_export_defuses_spreadsheet_formulas(admin_client):
    hybrid(
        company='=HYPERLINK("http://evil.example","x")',
        contact_name="+44 20 7946 0000",
        role="@SUM(A1)",
        contact_email="ok@example.com",
    )

    rows = csv_rows(admin_client.get("/admin/advisor/assessment/export.csv"))

    assert rows[1][2:6] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+44 20 7946 0000",
        "ok@example.com",
        "'@SUM(A1)",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "submitted_at__year=abc",
        "submitted_at__year=2027&submitted_at__month=13",
        "submitted_at__year=99999",
        "submitted_at__gte=notadate",
        "foo=bar",
    ],
)
def test_csv_export_with_filters_it_cannot_read_goes_back_to_the_list(
    admin_client, query
):
    hybrid()

    response = admin_client.get(f"/admin/advisor/assessment/export.csv?{query}")

    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"
    page = admin_client.get(response["Location"])
    assert "filters could not be read, so nothing was exported" in (
        page.content.decode()
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("-2", "'-2"),
        ("+1", "'+1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (-2, -2),
    ],
)
def test_csv_cell_quotes_what_a_spreadsheet_would_run(value, expected):
    assert csv_cell(value) == expected


def test_csv_export_is_for_staff_who_may_view_assessments(client, django_user_model):
    hybrid()
    client.force_login(django_user_model.objects.create_user("helper", is_staff=True))

    assert client.get("/admin/advisor/assessment/export.csv").status_code == 403
