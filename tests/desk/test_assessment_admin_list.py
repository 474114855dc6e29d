"""The assessments list in the admin: its columns and filters per role, and the
CSV export of what it shows."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from advisor.models import Assessment
from desk.exports import csv_cell
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import ROLES, consultant_create, user_for
from tests.helpers.assessment_admin import CHANGELIST, hybrid, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


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
    # 40,000 summaries a month on GPT-5.4 nano, the cheapest API tier that does the job.
    assert '<td class="field-api_spend">$28.50</td>' in html
    assert '<td class="field-submitted">Mon 01 Mar 2027</td>' in html
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


def test_assessment_list_ignores_an_industry_it_does_not_offer(admin_client):
    submitted(company="Retail", industry="retail")
    submitted(company="Health", industry="healthcare")

    response = admin_client.get(f"{CHANGELIST}?industry=nope")

    assert response.status_code == 200
    assert sorted(results(response)) == ["Health", "Retail"]


def test_assessment_list_refuses_a_nul_in_a_filter(admin_client):
    response = admin_client.get(f"{CHANGELIST}?industry=%00")

    assert response.status_code == 400


# --- CSV ------------------------------------------------------------------------------


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
            "28.50",
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
            "28.50",
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
    ],
)
def test_csv_export_with_an_impossible_date_is_refused_with_400(admin_client, query):
    response = admin_client.get(f"/admin/advisor/assessment/export.csv?{query}")

    assert response.status_code == 400
    assert not response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("query", ["submitted_at__gte=notadate", "foo=bar"])
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
