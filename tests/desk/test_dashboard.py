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


def test_dashboard_counts_failed_emails_company_wide_for_managers_own_for_consultants():
    consultant = consultant_create()
    theirs = BookingFactory(consultant=consultant)
    for n, status in enumerate(["failed", "bounced", "sent", "queued"]):
        OutboundEmail.objects.create(
            related_model="bookings.booking" if n == 0 else "",
            related_id=str(theirs.pk) if n == 0 else "",
            kind="booking_confirmation",
            to=f"client{n}@example.com",
            subject="Your consultation",
            body_text="-",
            body_html="-",
            dedupe_key=f"test:{n}",
            status=status,
            sent_at=NOW if status == "sent" else None,
            bounced_at=NOW if status == "bounced" else None,
        )

    for_manager = dashboard_get(user=manager_create(), now=NOW)
    for_consultant = dashboard_get(user=consultant.user, now=NOW)
    for_another = dashboard_get(user=consultant_create().user, now=NOW)

    assert for_manager.failed_emails == 2
    assert [email.to for email in for_manager.failed_recent] == [
        "client1@example.com",
        "client0@example.com",
    ]
    assert for_consultant.failed_emails == 1
    assert [email.to for email in for_consultant.failed_recent] == [
        "client0@example.com"
    ]
    assert for_another.failed_emails == 0


def test_dashboard_is_a_fixed_number_of_queries(django_assert_num_queries):
    known_data()
    mine = consultant_create()
    user = mine.user
    user.is_superuser = True
    user.save()
    for hours in (2, 3, 4):
        booked(created_at=NOW, consultant=mine, start=NOW + timedelta(hours=hours))

    # Submissions, bookings, verdicts, the consultant, their calls, the team's calls,
    # calls awaiting an outcome, calls their schedule no longer allows (the calls, the
    # policy, weekly hours, overrides, time off with calendar busy time, other calls),
    # failed emails, stale calendars.
    with django_assert_num_queries(15):
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
# Stale calendars add one query (whether they see everyone's is already known).
INDEX_QUERIES = {"superuser": 19, "manager": 22, "consultant": 20}


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
    log = client.get("/admin/consult/outboundemail/?status__in=failed,bounced")

    assert '<p class="dashboard-figure">1</p>' in html
    assert 'href="/admin/consult/outboundemail/?status__in=failed,bounced"' in html
    assert "550 mailbox unavailable" in html
    assert log.status_code == 200
    assert "client@example.com" in log.content.decode()


def test_admin_index_for_a_consultant_labels_whose_figures_are_shown(client):
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
    assert "Mon 07 Jan 2030 14:30 (Asia/Kolkata)" in html  # 09:00 UTC in Kolkata
    assert f'href="/admin/advisor/assessment/{assessment.pk}/change/"' in html
    assert 'This week and last <span class="scope-tag">company-wide</span>' in html
    assert (
        'Your upcoming calls <span class="scope-tag scope-tag--yours">yours</span>'
        in html
    )
    assert "The team&#x27;s upcoming calls" not in html
    assert "The team's upcoming calls" not in html
    assert "Emails needing attention" in html
    assert "your clients'</span>" in html


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


def email_about(related, *, to, status="sent"):
    return OutboundEmail.objects.create(
        kind="booking_confirmation",
        to=to,
        subject="-",
        body_text="-",
        body_html="-",
        dedupe_key=f"test:{to}",
        status=status,
        sent_at=NOW if status == "sent" else None,
        related_model=related._meta.label_lower,
        related_id=str(related.pk),
    )


def test_consultant_reads_only_their_own_clients_emails_in_the_log(client):
    mine = consultant_create()
    call = BookingFactory(consultant=mine)
    assigned = AssessmentFactory(assigned_to=mine.user)
    others = BookingFactory(consultant=consultant_create())
    shown = [
        email_about(call, to="call@example.com"),
        email_about(assigned, to="assigned@example.com"),
    ]
    hidden = email_about(others, to="someone-else@example.com")
    client.force_login(mine.user)

    listing = client.get("/admin/consult/outboundemail/")
    theirs = client.get(f"/admin/consult/outboundemail/{hidden.pk}/change/")
    own = client.get(f"/admin/consult/outboundemail/{shown[0].pk}/change/")

    assert listing.status_code == 200
    assert sorted(e.to for e in listing.context["cl"].result_list) == [
        "assigned@example.com",
        "call@example.com",
    ]
    assert own.status_code == 200
    assert theirs.status_code == 302  # the admin's "not found" for an unknown row
    # Reading, not resending: that stays with managers.
    assert listing.context["action_form"] is None


@pytest.mark.parametrize("count", [1, 3])
def test_email_log_for_a_consultant_is_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    mine = consultant_create()
    for n in range(count):
        call = BookingFactory(consultant=mine, start=NOW + timedelta(days=n + 1))
        email_about(call, to=f"c{n}@example.com")
    client.force_login(mine.user)
    client.get("/admin/consult/outboundemail/")

    with django_assert_num_queries(EMAIL_LOG_QUERIES):
        response = client.get("/admin/consult/outboundemail/")

    assert len(response.context["cl"].result_list) == count


# Session, user, permissions and groups, the filters' choices and the rows: the
# same for three rows as for one.
EMAIL_LOG_QUERIES = 10


def test_manager_sees_the_teams_upcoming_calls_and_calls_awaiting_an_outcome(client):
    first = consultant_create(display_name="Priya Shah")
    second = consultant_create(display_name="Sam Lee")
    soon = BookingFactory(
        consultant=first, name="Ada", start=datetime(2030, 1, 7, 9, tzinfo=UTC)
    )
    later = BookingFactory(
        consultant=second, name="Bo", start=datetime(2030, 1, 8, 9, tzinfo=UTC)
    )
    past = BookingFactory(
        consultant=second,
        name="Cy",
        start=NOW - timedelta(days=2),
        status=BookingStatus.AWAITING_OUTCOME,
    )
    client.force_login(manager_create())

    dashboard = client.get("/admin/").context["dashboard"]
    html = client.get("/admin/").content.decode()

    assert list(dashboard.team_upcoming) == [soon, later]
    assert list(dashboard.awaiting_recent) == [past]
    assert dashboard.awaiting_outcome == 1
    assert "Priya Shah with Ada" in html
    assert "Sam Lee with Cy" in html
    assert 'href="/admin/bookings/booking/?status__exact=awaiting_outcome"' in html


def test_consultant_sees_only_their_own_calls_awaiting_an_outcome():
    mine = consultant_create()
    own = BookingFactory(
        consultant=mine,
        start=NOW - timedelta(days=1),
        status=BookingStatus.AWAITING_OUTCOME,
    )
    BookingFactory(
        consultant=consultant_create(),
        start=NOW - timedelta(days=1),
        status=BookingStatus.AWAITING_OUTCOME,
    )

    dashboard = dashboard_get(user=mine.user, now=NOW)

    assert (dashboard.awaiting_outcome, list(dashboard.awaiting_recent)) == (1, [own])
    assert dashboard.team_upcoming == ()
    assert dashboard.sees_everyone is False


def test_an_email_sent_again_after_its_bounce_or_erased_needs_no_attention():
    booking = BookingFactory()
    other = BookingFactory()

    def email(n, status, about, created, **fields):
        return OutboundEmail.objects.create(
            related_model="bookings.booking",
            related_id=str(about.pk),
            to=f"client{n}@example.com",
            body_text="-",
            body_html="-",
            dedupe_key=f"test:{n}",
            status=status,
            created_at=created,
            sent_at=created if status == "sent" else None,
            bounced_at=created if status == "bounced" else None,
            **{
                "subject": "Your consultation",
                "kind": "booking_confirmation",
                **fields,
            },
        )

    email(0, "bounced", booking, NOW - timedelta(hours=2))
    # The address corrected: the same email about the same call went again.
    email(1, "sent", booking, NOW - timedelta(hours=1))
    still = email(2, "bounced", other, NOW - timedelta(hours=2))
    email(3, "failed", other, NOW - timedelta(hours=3), subject="(deleted)")
    # A result forwarded to two colleagues: the second delivered says nothing of the
    # first's bounce.
    forward = email(
        4, "bounced", other, NOW - timedelta(hours=2), kind="assessment_shared"
    )
    email(5, "sent", other, NOW - timedelta(hours=1), kind="assessment_shared")

    dashboard = dashboard_get(user=manager_create(), now=NOW)

    assert dashboard.failed_emails == 2
    assert {e.pk for e in dashboard.failed_recent} == {still.pk, forward.pk}
