"""A bounced email in the admin: the delivery panel, the banner on the booking and the
prep sheet with the way to correct the address, the email log's filter, and correcting
an assessment's address (its consultant's, or a manager's, to do)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from advisor.models import Assessment, AssessmentNote
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory
from tests.factories.bookings import BookingFactory
from tests.helpers.admin_roles import consultant_create, manager_create, user_for
from tests.helpers.assessment_admin import change_url as assessment_url
from tests.helpers.booking_admin import change_url as booking_url

pytestmark = pytest.mark.django_db

UNKNOWN = "550 5.1.1 <grace@exmaple.com>: Recipient address rejected: User unknown"


def email_about(row, *, to, kind, status="bounced", key=None, subject="Your result"):
    now = timezone.now()
    return OutboundEmail.objects.create(
        kind=kind,
        to=to,
        subject=subject,
        body_text="Your result: http://testserver/assess/r/abc/",
        body_html="<p>Your result</p>",
        dedupe_key=key or f"{kind}:{row.pk}:{to}",
        status=status,
        sent_at=now if status in {"sent", "bounced"} else None,
        bounced_at=now if status == "bounced" else None,
        last_error=UNKNOWN if status in {"bounced", "failed"} else "",
        related_model=row._meta.label_lower,
        related_id=str(row.pk),
    )


def correct_url(assessment) -> str:
    return f"/admin/advisor/assessment/{assessment.pk}/email/"


# --- the delivery panel and the banners -----------------------------------------------


@pytest.mark.parametrize("role", ["consultant", "manager"])
def test_booking_page_shows_the_bounce_and_the_way_to_correct_it(client, role):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine, email="grace@exmaple.com")
    email_about(booking, to="grace@exmaple.com", kind="booking_confirmation")
    client.force_login(user_for(role, mine))

    html = client.get(booking_url(booking)).content.decode()

    assert (
        "<strong>The client's booking confirmation email bounced:</strong> "
        "550 5.1.1 &lt;grace@exmaple.com&gt;: Recipient address rejected: User unknown"
        in html
    )
    assert (
        "User unknown — "
        f'<a href="/admin/bookings/booking/{booking.pk}/email/">'
        "Correct the address</a>" in html
    )
    assert (
        '<span class="delivery-status delivery-status--bounced">Bounced</span>' in html
    )
    assert (
        f'<span class="delivery-reason">{UNKNOWN.replace("<", "&lt;").replace(">", "&gt;")}</span>'
        in html
    )


def test_no_banner_once_a_later_email_went_out(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine, email="grace@example.com")
    email_about(booking, to="grace@example.com", kind="booking_confirmation")
    email_about(booking, to="grace@example.com", kind="booking_reminder", status="sent")
    client.force_login(mine.user)

    html = client.get(booking_url(booking)).content.decode()

    assert "delivery-problem" not in html


def test_failed_email_shows_the_banner_too(client):
    mine = consultant_create()
    booking = BookingFactory(consultant=mine, email="grace@exmaple.com")
    email_about(
        booking, to="grace@exmaple.com", kind="booking_reminder", status="failed"
    )
    client.force_login(mine.user)

    html = client.get(booking_url(booking)).content.decode()

    assert "The client's reminder email failed:</strong>" in html


@pytest.mark.usefixtures("active_price_book")
def test_prep_sheet_shows_the_assessment_s_and_the_call_s_bounces(client):
    mine = consultant_create()
    assessment = AssessmentFactory(
        contact_email="grace@exmaple.com", assigned_to=mine.user
    )
    booking = BookingFactory(
        consultant=mine, assessment=assessment, email="grace@exmaple.com"
    )
    email_about(assessment, to="grace@exmaple.com", kind="assessment_summary")
    email_about(booking, to="grace@exmaple.com", kind="booking_confirmation")
    client.force_login(mine.user)

    html = client.get(assessment_url(assessment)).content.decode()

    assert "The client's result summary email bounced:</strong>" in html
    assert "The client's booking confirmation email bounced:</strong>" in html
    assert f'<a href="{correct_url(assessment)}">Correct the address</a>' in html
    assert (
        f'<a href="/admin/bookings/booking/{booking.pk}/email/">'
        "Correct the address</a>" in html
    )


@pytest.mark.usefixtures("active_price_book")
def test_prep_sheet_of_another_consultant_shows_the_bounce_without_the_link(client):
    assessment = AssessmentFactory(
        contact_email="grace@exmaple.com", assigned_to=consultant_create().user
    )
    email_about(assessment, to="grace@exmaple.com", kind="assessment_summary")
    client.force_login(consultant_create().user)

    html = client.get(assessment_url(assessment)).content.decode()

    assert "The client's result summary email bounced:</strong>" in html
    assert correct_url(assessment) not in html


def test_email_log_filters_by_bounced(client):
    manager = manager_create()
    assessment = AssessmentFactory(contact_email="grace@exmaple.com")
    email_about(assessment, to="grace@exmaple.com", kind="assessment_summary")
    email_about(assessment, to="bo@example.com", kind="link", status="sent")
    client.force_login(manager)

    html = client.get(
        "/admin/consult/outboundemail/?status__exact=bounced"
    ).content.decode()

    assert "grace@exmaple.com" in html
    assert "bo@example.com" not in html
    assert 'href="?status__exact=bounced"' in html


# --- correcting an assessment's address -----------------------------------------------


@pytest.mark.parametrize("role", ["consultant", "manager"])
def test_correcting_an_assessment_s_address_resends_the_last_email_and_logs_it(
    client, django_capture_on_commit_callbacks, role
):
    mine = consultant_create()
    assessment = AssessmentFactory(
        contact_email="grace@exmaple.com", assigned_to=mine.user
    )
    bounced = email_about(assessment, to="grace@exmaple.com", kind="assessment_summary")
    user = user_for(role, mine)
    client.force_login(user)

    page = client.get(correct_url(assessment))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(correct_url(assessment), {"email": "Grace@Example.com"})

    assessment.refresh_from_db()
    again = OutboundEmail.objects.get(to="grace@example.com")
    assert page.status_code == 200
    assert response.status_code == 302
    assert assessment.contact_email == "grace@example.com"
    assert (again.kind, again.subject, again.body_text, again.status) == (
        "assessment_summary",
        "Your result",
        bounced.body_text,
        "queued",
    )
    assert AssessmentNote.objects.get().text == (
        "Client's email address corrected: grace@exmaple.com → grace@example.com; "
        "sent again: “Your result”"
    )
    assert LogEntry.objects.get().change_message == (
        "Corrected the client's email address from grace@exmaple.com to "
        "grace@example.com and sent “Your result” again to it."
    )


def test_another_consultant_cannot_correct_an_assessment_s_address(client):
    assessment = AssessmentFactory(
        contact_email="grace@exmaple.com", assigned_to=consultant_create().user
    )
    client.force_login(consultant_create().user)

    response = client.post(correct_url(assessment), {"email": "grace@example.com"})

    assert response.status_code == 403
    assert Assessment.objects.get().contact_email == "grace@exmaple.com"
    assert OutboundEmail.objects.count() == 0


def test_the_same_or_a_malformed_address_is_refused_beside_the_field(client):
    mine = consultant_create()
    assessment = AssessmentFactory(
        contact_email="grace@example.com", assigned_to=mine.user
    )
    client.force_login(mine.user)

    same = client.post(correct_url(assessment), {"email": "grace@example.com"})
    malformed = client.post(correct_url(assessment), {"email": "not an address"})

    assert same.status_code == malformed.status_code == 400
    assert "That is the address the assessment already has." in same.content.decode()
    assert "Enter a valid email address." in malformed.content.decode()
