"""The dashboard at the top of the admin: figures on known data, and the page per role."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry

from advisor.models import Assessment, PriceBook, Recommendation
from bookings.enums import BookingStatus
from bookings.models import Booking
from consult.models import OutboundEmail
from desk.dashboard import dashboard_get, verdict_bars
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import ROLES, consultant_create, manager_create, user_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]

# Wednesday: this week began Monday 8 March, last week Monday 1 March.
NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
THIS_WEEK = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
LAST_WEEK = datetime(2027, 3, 3, 9, 0, tzinfo=UTC)


def submission(submitted_at, stack="api", **kwargs):
    assessment = AssessmentFactory(
        status=Assessment.Status.SUBMITTED, submitted_at=submitted_at, **kwargs
    )
    Recommendation.objects.create(
        assessment=assessment,
        engine_version="2026.1",
        price_book=_price_book(),
        input={},
        output={"stack": stack, "use_cases": []},
        stack=stack,
    )
    return assessment


def _price_book():
    return PriceBook.objects.get(is_active=True)


def booked(assessment=None, *, created_at, consultant=None, start=None, **kwargs):
    start = start or created_at + timedelta(days=2)
    booking = BookingFactory(
        assessment=assessment,
        start=start,
        **({"consultant": consultant} if consultant else {}),
        **kwargs,
    )
    Booking.objects.filter(pk=booking.pk).update(created_at=created_at)
    return booking


def known_data():
    """Three submissions this week (two booked), two last week (one booked), more."""
    this_week = [
        submission(THIS_WEEK, "hybrid"),
        submission(THIS_WEEK + timedelta(days=1), "hybrid"),
        submission(THIS_WEEK + timedelta(days=2, hours=2), "api"),
    ]
    last_week = [
        submission(LAST_WEEK, "classical_ml"),
        submission(LAST_WEEK + timedelta(days=3), "api"),
    ]
    submission(datetime(2027, 1, 4, tzinfo=UTC), "fine_tune")  # in the chart only
    submission(datetime(2026, 11, 2, tzinfo=UTC), "api")  # older than the chart
    AssessmentFactory()  # a draft counts nowhere
    booked(this_week[0], created_at=THIS_WEEK + timedelta(hours=3))
    booked(
        this_week[1],
        created_at=THIS_WEEK + timedelta(days=1, hours=1),
        status=BookingStatus.CANCELLED,
    )
    booked(last_week[0], created_at=THIS_WEEK + timedelta(hours=5))
    booked(created_at=LAST_WEEK + timedelta(days=1))


def test_dashboard_counts_this_week_and_last_with_conversion():
    known_data()

    dashboard = dashboard_get(user=manager_create(), now=NOW)

    assert dashboard.week_start == date(2027, 3, 8)
    assert (
        dashboard.this_week.submissions,
        dashboard.this_week.bookings,
        dashboard.this_week.converted,
        dashboard.this_week.conversion_percent,
    ) == (3, 3, 2, 67)
    assert (
        dashboard.last_week.submissions,
        dashboard.last_week.bookings,
        dashboard.last_week.converted,
        dashboard.last_week.conversion_percent,
    ) == (2, 1, 1, 50)


def test_dashboard_verdict_mix_covers_twelve_weeks_in_a_fixed_order():
    known_data()

    dashboard = dashboard_get(user=manager_create(), now=NOW)

    assert dashboard.verdicts_since == date(2026, 12, 21)
    assert [(bar.key, bar.count) for bar in dashboard.verdicts] == [
        ("api", 2),
        ("fine_tune", 1),
        ("classical_ml", 1),
        ("hybrid", 2),
    ]
    assert dashboard.verdict_total == 6


def test_verdict_bars_scale_to_the_largest_count():
    bars = verdict_bars({"api": 4, "hybrid": 1})

    assert [(bar.label, bar.count, bar.width) for bar in bars] == [
        ("Buy an API", 4, 250),
        ("Fine-tune a small model", 0, 0),
        ("Classical ML", 0, 0),
        ("Hybrid", 1, 62),
    ]
    assert [bar.y for bar in bars] == [6, 36, 66, 96]


def test_verdict_bars_with_no_data_are_empty():
    assert [bar.width for bar in verdict_bars({})] == [0, 0, 0, 0]


def test_dashboard_with_no_data_has_no_conversion_to_show():
    dashboard = dashboard_get(user=manager_create(), now=NOW)

    assert dashboard.this_week.conversion_percent is None
    assert dashboard.verdict_total == 0


def test_dashboard_lists_the_logged_in_consultants_upcoming_calls_soonest_first():
    mine = consultant_create()
    later = booked(created_at=NOW, consultant=mine, start=NOW + timedelta(days=3))
    soon = booked(created_at=NOW, consultant=mine, start=NOW + timedelta(hours=2))
    booked(created_at=NOW, consultant=mine, start=NOW - timedelta(days=1))
    booked(
        created_at=NOW,
        consultant=mine,
        start=NOW + timedelta(days=1),
        status=BookingStatus.CANCELLED,
    )
    booked(created_at=NOW, start=NOW + timedelta(hours=1))  # someone else's

    dashboard = dashboard_get(user=mine.user, now=NOW)

    assert dashboard.consultant == mine
    assert list(dashboard.upcoming) == [soon, later]


def test_dashboard_counts_failed_emails_for_those_who_may_read_the_log():
    for n, status in enumerate(["failed", "failed", "sent", "queued"]):
        OutboundEmail.objects.create(
            kind="booking_confirmation",
            to=f"client{n}@example.com",
            subject="Your consultation",
            body_text="-",
            body_html="-",
            dedupe_key=f"test:{n}",
            status=status,
            sent_at=NOW if status == "sent" else None,
        )

    for_manager = dashboard_get(user=manager_create(), now=NOW)
    for_consultant = dashboard_get(user=consultant_create().user, now=NOW)

    assert for_manager.failed_emails == 2
    assert [email.to for email in for_manager.failed_recent] == [
        "client1@example.com",
        "client0@example.com",
    ]
    assert for_consultant.failed_emails is None


def test_dashboard_is_a_fixed_number_of_queries(django_assert_num_queries):
    known_data()
    mine = consultant_create()
    user = mine.user
    user.is_superuser = True
    user.save()
    for hours in (2, 3, 4):
        booked(created_at=NOW, consultant=mine, start=NOW + timedelta(hours=hours))

    # Submissions, bookings, verdicts, the consultant, their calls, failed emails,
    # stale calendars.
    with django_assert_num_queries(7):
        dashboard_get(user=user, now=NOW)


# --- The admin index ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("count", [1, 3])
def test_admin_index_shows_the_dashboard_with_constant_queries(
    client, django_assert_num_queries, role, count
):
    mine = consultant_create()
    for n in range(count):
        submission(NOW - timedelta(days=n), "hybrid")
        booked(created_at=NOW, consultant=mine, start=NOW + timedelta(days=n + 1))
    client.force_login(user_for(role, mine))
    # Caches filled once per process (content types, templates) do not count.
    client.get("/admin/")

    with django_assert_num_queries(INDEX_QUERIES[role]):
        response = client.get("/admin/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "This week and last" in html
    assert 'class="verdict-chart"' in html
    assert " style=" not in html.split('id="dashboard"')[1].split("</svg>")[0]


# Session, user, permissions, the dashboard's queries, recent actions.
# Stale calendars add one query, and for managers and consultants one more: whether they
# see everyone's calendars (their groups).
INDEX_QUERIES = {"superuser": 11, "manager": 14, "consultant": 12}


def test_admin_index_links_failed_emails_to_the_filtered_log(client):
    OutboundEmail.objects.create(
        kind="booking_confirmation",
        to="client@example.com",
        subject="-",
        body_text="-",
        body_html="-",
        dedupe_key="test:failed",
        status="failed",
        last_error="550 mailbox unavailable",
    )
    client.force_login(manager_create())

    html = client.get("/admin/").content.decode()

    assert '<p class="dashboard-figure">1</p>' in html
    assert 'href="/admin/consult/outboundemail/?status__exact=failed"' in html
    assert "550 mailbox unavailable" in html


def test_admin_index_for_a_consultant_shows_their_calls_and_no_email_log(client):
    mine = consultant_create(timezone="Asia/Kolkata")
    assessment = submission(NOW, "api")
    call = booked(
        assessment,
        created_at=NOW,
        consultant=mine,
        start=datetime(2030, 1, 7, 9, 0, tzinfo=UTC),
    )
    client.force_login(mine.user)

    html = client.get("/admin/").content.decode()

    assert "Your upcoming calls" in html
    assert f'href="/admin/bookings/booking/{call.pk}/change/"' in html
    assert "Mon 7 Jan, 14:30" in html  # 09:00 UTC in Kolkata
    assert f'href="/admin/advisor/assessment/{assessment.pk}/change/"' in html
    assert "Emails needing attention" not in html


# --- The email log, where the dashboard sends people ------------------------------------


def test_email_log_resend_of_a_failed_email_is_logged(
    client, django_capture_on_commit_callbacks
):
    failed = OutboundEmail.objects.create(
        kind="booking_confirmation",
        to="client@example.com",
        subject="-",
        body_text="-",
        body_html="-",
        dedupe_key="test:resend",
        status="failed",
        attempts=5,
    )
    manager = manager_create()
    client.force_login(manager)

    with django_capture_on_commit_callbacks():
        response = client.post(
            "/admin/consult/outboundemail/?status__exact=failed",
            {"action": "resend", "_selected_action": [failed.pk], "index": "0"},
        )

    failed.refresh_from_db()
    entry = LogEntry.objects.get()
    assert response.status_code == 302
    assert (failed.status, failed.attempts) == ("queued", 0)
    assert (entry.user, entry.object_id) == (manager, str(failed.pk))
    assert entry.get_change_message() == "Queued to be sent again."


def test_consultant_cannot_reach_the_email_log(client):
    client.force_login(consultant_create().user)

    assert client.get("/admin/consult/outboundemail/").status_code == 403
