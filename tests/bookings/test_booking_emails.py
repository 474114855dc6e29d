"""The booking emails: what each says, to whom, with which calendar file, and when."""

import logging
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from icalendar import Calendar

from advisor.models import Assessment
from advisor.services import assessment_submit
from bookings import emails, services
from bookings.models import Booking, CancelledBy
from bookings.services import AssessmentLink, Outcome
from bookings.tokens import token_hash
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import ConsultantFactory

pytestmark = pytest.mark.django_db

# Monday 1 March 2027, 08:00 UTC: London is on GMT, Tokyo is UTC+9 all year.
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
# 09:00 in London, 18:00 in Tokyo.
TUESDAY_9 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
OFFICE = {day: [(time(9, 0), time(17, 0))] for day in range(5)}
MEET = "https://meet.example.com/amelia"
MANAGE_LINK = re.compile(r"http://testserver(/book/manage/[A-Za-z0-9_-]{43}/)")


@pytest.fixture
def consultant():
    return ConsultantFactory(
        display_name="Amelia Hart",
        timezone="Europe/London",
        meeting_url=MEET,
        user__email="amelia@consult.example",
        hours=OFFICE,
    )


def create(**overrides) -> services.BookingResult:
    arguments = {
        "start": TUESDAY_9,
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "company": "Compilers Inc",
        "topic": "Fine-tuning",
        "client_timezone": "Asia/Tokyo",
        "consent": True,
        "now": NOW,
    } | overrides
    return services.booking_create(**arguments)


def email_to(address: str, kind: str) -> OutboundEmail:
    return OutboundEmail.objects.get(to=address, kind=kind)


def calendar_of(email: OutboundEmail) -> tuple[Calendar, dict]:
    [part] = [a for a in email.attachments if a["filename"] == "consultation.ics"]
    calendar = Calendar.from_ical(part["text"])
    return calendar, part


def event_of(email: OutboundEmail):
    calendar, _ = calendar_of(email)
    [event] = calendar.walk("VEVENT")
    return event


def submitted_assessment() -> Assessment:
    assessment = AssessmentFactory(company="Engines Ltd")
    UseCaseFactory(
        assessment=assessment,
        position=1,
        name="Invoice fields",
        task="extraction",
        monthly_requests=50_000,
        format_consistency="critical",
        proprietary_data="substantial",
    )
    UseCaseFactory(
        assessment=assessment,
        position=2,
        name="Support summaries",
        task="summarization",
        monthly_requests=20_000,
    )
    assessment_submit(assessment=assessment)
    return Assessment.objects.select_related("recommendation").get(pk=assessment.pk)


def pdf_built(assessment: Assessment) -> str:
    """Store both copies of the summary; return the staff copy's name."""
    client_copy = default_storage.save(
        "summaries/client.pdf", ContentFile(b"%PDF-1.7 with private links")
    )
    name = default_storage.save("summaries/built.pdf", ContentFile(b"%PDF-1.7 built"))
    Assessment.objects.filter(pk=assessment.pk).update(
        summary_pdf=client_copy, staff_summary_pdf=name, summary_pdf_built_at=NOW
    )
    return name


# --- a new booking ----------------------------------------------------------------------


def test_booking_create_sends_one_confirmation_and_one_notification_on_commit(
    consultant, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        create(consultant=consultant)

    # The two sends, and the slot listing made stale once the booking is in.
    assert len(callbacks) == 3
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        (
            "amelia@consult.example",
            "New consultation booked: Tuesday 2 March 2027, 09:00 (Europe/London)",
        ),
        (
            "grace@example.com",
            (
                "Booked: your consultation with Amelia Hart, "
                "Tuesday 2 March 2027, 18:00 (Asia/Tokyo)"
            ),
        ),
    ]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_booking_create_rolled_back_queues_and_sends_nothing(
    consultant, django_capture_on_commit_callbacks, mailoutbox
):
    outcomes = []

    def book_then_fail() -> None:
        with transaction.atomic():
            outcomes.append(create(consultant=consultant).outcome)
            raise RuntimeError

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        book_then_fail()

    assert outcomes == [Outcome.CREATED]
    assert callbacks == []
    assert Booking.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert mailoutbox == []


def test_confirmation_text_shows_the_clients_zone_and_the_manage_link(consultant):
    result = create(consultant=consultant)

    email = email_to("grace@example.com", "booking_confirmation")
    assert email.reply_to == "amelia@consult.example"
    assert email.dedupe_key == f"booking:{result.booking.pk}:confirmation:client:0"
    assert email.body_text == (
        "Hello Grace Hopper,\n"
        "\n"
        "Your free 30-minute consultation is booked. We look forward to\n"
        "talking with you.\n"
        "\n"
        "When: Tuesday 2 March 2027, 18:00\u201318:30 (Asia/Tokyo)\n"
        "With: Amelia Hart, Consult\n"
        f"Join: {MEET}\n"
        "\n"
        "The attached calendar file adds it to your calendar.\n"
        "\n"
        "To reschedule or cancel, use your private link:\n"
        "\n"
        f"http://testserver/book/manage/{result.manage_token}/\n"
        "\n"
        "Anyone with this link can change your booking, so keep it to yourself.\n"
        "\n"
        "You would like to discuss:\n"
        "Fine-tuning\n"
        "\n"
        "The Consult team\n"
        "http://testserver\n"
    )


def test_confirmation_html_has_the_time_the_call_link_and_the_manage_button(
    consultant,
):
    result = create(consultant=consultant)

    html = email_to("grace@example.com", "booking_confirmation").body_html
    manage_url = f"http://testserver/book/manage/{result.manage_token}/"
    assert html.startswith("<!DOCTYPE html>")
    assert (
        "<strong>Tuesday 2 March 2027, 18:00\u201318:30 (Asia/Tokyo)</strong>" in html
    )
    assert f'<a href="{MEET}" style="color:#1d4ed8; word-break:break-all;">' in html
    assert html.count(f'href="{manage_url}"') == 2
    assert ">Reschedule or cancel</a>" in html
    assert "replaces the one we sent before" not in html


def test_confirmation_manage_link_opens_the_manage_page(consultant, client):
    create(consultant=consultant)

    text = email_to("grace@example.com", "booking_confirmation").body_text
    [path] = MANAGE_LINK.findall(text)
    response = client.get(path)

    assert response.status_code == 200
    assert "with Amelia Hart" in response.content.decode()


def test_confirmation_calendar_file_is_a_request_in_utc_from_the_consultant(
    consultant,
):
    result = create(consultant=consultant)
    booking = result.booking

    calendar, part = calendar_of(email_to("grace@example.com", "booking_confirmation"))
    [event] = calendar.walk("VEVENT")
    assert part["content_type"] == "text/calendar; method=REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"{booking.uid}@consult"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == TUESDAY_9
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == TUESDAY_9 + timedelta(minutes=30)
    assert "DTSTART:20270302T090000Z" in part["text"]
    assert event["ORGANIZER"] == "mailto:amelia@consult.example"
    assert event["ORGANIZER"].params["CN"] == "Amelia Hart"
    assert event["ATTENDEE"] == "mailto:grace@example.com"
    assert event["ATTENDEE"].params["CN"] == "Grace Hopper"
    assert event["LOCATION"] == MEET
    assert event["URL"] == MEET
    assert event["SUMMARY"] == "Free consultation with Amelia Hart"
    assert str(event["DESCRIPTION"]).endswith(
        f"Reschedule or cancel: http://testserver/book/manage/{result.manage_token}/"
    )


def test_notification_shows_the_consultants_zone_and_the_clients(consultant):
    result = create(consultant=consultant)
    booking = result.booking

    email = email_to("amelia@consult.example", "booking_consultant_new")
    assert email.reply_to == "grace@example.com"
    assert email.dedupe_key == f"booking:{booking.pk}:confirmation:consultant:0"
    assert email.body_text == (
        "Hello Amelia Hart,\n"
        "\n"
        "A client has booked a free 30-minute consultation with you.\n"
        "\n"
        "When: Tuesday 2 March 2027, 09:00\u201309:30 (Europe/London)\n"
        "For the client: Tuesday 2 March 2027, 18:00\u201318:30 (Asia/Tokyo)\n"
        "Client: Grace Hopper, Compilers Inc\n"
        "Email: grace@example.com\n"
        f"Call link: {MEET}\n"
        "\n"
        "The attached calendar file adds it to your calendar. Reply to this\n"
        "email to write to the client.\n"
        "\n"
        "What they would like to discuss:\n"
        "Fine-tuning\n"
        "\n"
        "The client booked without an assessment.\n"
        "\n"
        "The booking in the admin:\n"
        f"http://testserver/admin/bookings/booking/{booking.pk}/change/\n"
        "\n"
        "Consult\n"
        "http://testserver\n"
    )


def test_notification_calendar_file_never_carries_the_clients_manage_link(
    consultant,
):
    result = create(consultant=consultant)

    calendar, part = calendar_of(
        email_to("amelia@consult.example", "booking_consultant_new")
    )
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"{result.booking.uid}@consult"
    assert event["SUMMARY"] == "Free consultation: Grace Hopper (Compilers Inc)"
    assert event["ATTENDEE"] == "mailto:grace@example.com"
    assert result.manage_token not in part["text"]
    assert "/book/manage/" not in part["text"]


@pytest.mark.usefixtures("active_price_book")
def test_notification_has_the_assessment_summary_and_the_built_pdf(
    consultant, django_capture_on_commit_callbacks, mailoutbox
):
    assessment = submitted_assessment()
    stored = pdf_built(assessment)
    output = assessment.recommendation.output

    with django_capture_on_commit_callbacks(execute=True):
        create(
            consultant=consultant,
            assessment=AssessmentLink(
                reference=str(assessment.pk), stack=assessment.recommendation.stack
            ),
        )

    email = email_to("amelia@consult.example", "booking_consultant_new")
    reasons = [answer["reasons"][0]["detail"] for answer in output["use_cases"]]
    admin_url = f"http://testserver/admin/advisor/assessment/{assessment.pk}/change/"
    assert output["stack"] == "hybrid"
    assert [answer["path"] for answer in output["use_cases"]] == ["fine_tune", "api"]
    assert (
        "Their assessment: Hybrid\n"
        f"{output['summary']}\n"
        "\n"
        "- Invoice fields: Fine-tune a small model\n"
        f"  {reasons[0]}\n"
        "- Support summaries: Buy an API\n"
        f"  {reasons[1]}\n"
        "\n"
        "The PDF summary the client received is attached.\n"
        "\n"
        "The assessment in the admin:\n"
        f"{admin_url}\n"
    ) in email.body_text
    assert f'href="{admin_url}"' in email.body_html
    assert "<strong>Fine-tune a small model</strong>" in email.body_html
    assert email.attachments[1] == {
        "filename": "consult-summary-engines-ltd.pdf",
        "content_type": "application/pdf",
        "storage_name": stored,
    }
    [sent] = [m for m in mailoutbox if m.to == ["amelia@consult.example"]]
    assert [(a.filename, a.mimetype) for a in sent.attachments] == [
        ("consultation.ics", "text/calendar; method=REQUEST"),
        ("consult-summary-engines-ltd.pdf", "application/pdf"),
    ]
    assert sent.attachments[1].content == b"%PDF-1.7 built"
    # The client's confirmation never carries the assessment or its PDF.
    client_email = email_to("grace@example.com", "booking_confirmation")
    assert [a["filename"] for a in client_email.attachments] == ["consultation.ics"]


@pytest.mark.usefixtures("active_price_book")
def test_notification_before_the_pdf_is_built_says_so_and_attaches_only_the_invite(
    consultant,
):
    assessment = submitted_assessment()

    create(
        consultant=consultant,
        assessment=AssessmentLink(reference=str(assessment.pk), stack="hybrid"),
    )

    email = email_to("amelia@consult.example", "booking_consultant_new")
    assert [a["filename"] for a in email.attachments] == ["consultation.ics"]
    assert (
        "The PDF summary is still being built; it will be in the admin\n"
        "with the assessment.\n"
    ) in email.body_text


def test_notification_for_a_consultant_without_an_email_address_is_skipped(
    caplog,
):
    consultant = ConsultantFactory(user__email="", hours=OFFICE)

    with caplog.at_level(logging.WARNING, logger="bookings.emails"):
        result = create(consultant=consultant)

    assert result.outcome == Outcome.CREATED
    assert list(OutboundEmail.objects.values_list("to", "kind")) == [
        ("grace@example.com", "booking_confirmation")
    ]
    assert caplog.messages == [
        (
            f"booking {result.booking.pk}: consultant {consultant.pk} has no email "
            "address; booking_consultant_new not sent"
        )
    ]


def test_user_text_is_escaped_in_html_and_kept_out_of_subjects(consultant):
    create(
        consultant=consultant,
        name="Ada <b>Bold</b>",
        company="Tom & Jerry",
        topic="<script>alert(1)</script>\nline two",
    )

    client_email = email_to("grace@example.com", "booking_confirmation")
    consultant_email = email_to("amelia@consult.example", "booking_consultant_new")
    for email in (client_email, consultant_email):
        assert "<script>" not in email.body_html
        assert "<b>Bold</b>" not in email.body_html
        assert "Ada &lt;b&gt;Bold&lt;/b&gt;" in email.body_html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>line two" in email.body_html
        assert "Ada" not in email.subject
        assert "alert" not in email.subject
    assert "Tom &amp; Jerry" in consultant_email.body_html
    # Plain text is not HTML: readers see the characters as typed.
    assert "Client: Ada <b>Bold</b>, Tom & Jerry\n" in consultant_email.body_text


def test_booking_create_same_form_twice_queues_one_email_per_party(consultant):
    first = create(consultant=consultant, idempotency_key="form-key-1234567890")
    second = create(consultant=consultant, idempotency_key="form-key-1234567890")

    assert (first.outcome, second.outcome) == (Outcome.CREATED, Outcome.DUPLICATE)
    assert sorted(OutboundEmail.objects.values_list("to", "kind")) == [
        ("amelia@consult.example", "booking_consultant_new"),
        ("grace@example.com", "booking_confirmation"),
    ]


def test_queuing_the_same_emails_again_changes_nothing(consultant):
    result = create(consultant=consultant)

    emails.created_emails_queue(
        booking=result.booking, manage_token=result.manage_token, now=NOW
    )

    assert OutboundEmail.objects.count() == 2


# --- times across daylight-saving changes --------------------------------------------


@pytest.mark.parametrize(
    (
        "consultant_zone",
        "client_zone",
        "now",
        "start",
        "consultant_when",
        "client_when",
    ),
    [
        # New York springs forward on 14 March, London on 28 March: for that fortnight
        # they are four hours apart, not five.
        (
            "Europe/London",
            "America/New_York",
            datetime(2027, 3, 10, 12, 0, tzinfo=UTC),
            datetime(2027, 3, 16, 14, 0, tzinfo=UTC),
            "Tuesday 16 March 2027, 14:00\u201314:30 (Europe/London)",
            "Tuesday 16 March 2027, 10:00\u201310:30 (America/New_York)",
        ),
        # Adelaide falls back from +10:30 to +9:30 on 4 April; Kolkata is +5:30.
        (
            "Australia/Adelaide",
            "Asia/Kolkata",
            datetime(2027, 4, 1, 0, 0, tzinfo=UTC),
            datetime(2027, 4, 5, 0, 0, tzinfo=UTC),
            "Monday 5 April 2027, 09:30\u201310:00 (Australia/Adelaide)",
            "Monday 5 April 2027, 05:30\u201306:00 (Asia/Kolkata)",
        ),
        # New York falls back on 7 November: 01:00-02:00 happens twice, so the
        # client's times say which.
        (
            "Europe/London",
            "America/New_York",
            datetime(2027, 11, 1, 12, 0, tzinfo=UTC),
            datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
            "Sunday 7 November 2027, 05:30\u201306:00 (Europe/London)",
            "Sunday 7 November 2027, 01:30 EDT\u201301:00 EST (America/New_York)",
        ),
        (
            "Europe/London",
            "America/New_York",
            datetime(2027, 11, 1, 12, 0, tzinfo=UTC),
            datetime(2027, 11, 7, 6, 0, tzinfo=UTC),
            "Sunday 7 November 2027, 06:00\u201306:30 (Europe/London)",
            "Sunday 7 November 2027, 01:00 EST\u201301:30 EST (America/New_York)",
        ),
    ],
)
def test_times_after_a_dst_change_are_right_in_both_zones(
    consultant_zone, client_zone, now, start, consultant_when, client_when
):
    consultant = ConsultantFactory(
        timezone=consultant_zone, user__email="consultant@consult.example"
    )

    create(consultant=consultant, start=start, client_timezone=client_zone, now=now)

    client_email = email_to("grace@example.com", "booking_confirmation")
    consultant_email = email_to("consultant@consult.example", "booking_consultant_new")
    assert f"When: {client_when}\n" in client_email.body_text
    assert f"When: {consultant_when}\n" in consultant_email.body_text
    assert f"For the client: {client_when}\n" in consultant_email.body_text
    assert event_of(client_email).decoded("DTSTART") == start


# --- moved ------------------------------------------------------------------------------


def test_booking_reschedule_emails_both_with_the_same_uid_and_a_higher_sequence(
    consultant, django_capture_on_commit_callbacks, mailoutbox
):
    booking = create(consultant=consultant).booking
    new_start = TUESDAY_9 + timedelta(hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.booking_reschedule(
            booking=booking, new_start=new_start, now=NOW
        )

    client_email = email_to("grace@example.com", "booking_moved")
    consultant_email = email_to("amelia@consult.example", "booking_consultant_moved")
    first = event_of(email_to("grace@example.com", "booking_confirmation"))
    assert result.outcome == Outcome.MOVED
    assert client_email.dedupe_key == f"booking:{booking.pk}:moved:client:1"
    assert consultant_email.dedupe_key == f"booking:{booking.pk}:moved:consultant:1"
    assert client_email.subject == (
        "Moved: your consultation with Amelia Hart is now "
        "Tuesday 2 March 2027, 20:00 (Asia/Tokyo)"
    )
    assert consultant_email.subject == (
        "Consultation moved to Tuesday 2 March 2027, 11:00 (Europe/London)"
    )
    for email in (client_email, consultant_email):
        calendar, part = calendar_of(email)
        [event] = calendar.walk("VEVENT")
        assert part["content_type"] == "text/calendar; method=REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == first["UID"] == f"{booking.uid}@consult"
        assert (first["SEQUENCE"], event["SEQUENCE"]) == (0, 1)
        assert event.decoded("DTSTART") == new_start
        assert event.decoded("DTEND") == new_start + timedelta(minutes=30)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "amelia@consult.example",
        "grace@example.com",
    ]


def test_moved_text_shows_the_new_and_old_times_and_points_to_the_kept_link(
    consultant,
):
    booking = create(consultant=consultant).booking

    services.booking_reschedule(
        booking=booking, new_start=TUESDAY_9 + timedelta(hours=2), now=NOW
    )

    assert email_to("grace@example.com", "booking_moved").body_text == (
        "Hello Grace Hopper,\n"
        "\n"
        "Your consultation with Amelia Hart has moved to a new time.\n"
        "\n"
        "New time: Tuesday 2 March 2027, 20:00\u201320:30 (Asia/Tokyo)\n"
        "Was: Tuesday 2 March 2027, 18:00\u201318:30 (Asia/Tokyo)\n"
        "With: Amelia Hart, Consult\n"
        f"Join: {MEET}\n"
        "\n"
        "The attached calendar file moves the event in your calendar.\n"
        "\n"
        "To reschedule again or cancel, use the private link in your booking\n"
        "confirmation email; it still works.\n"
        "\n"
        "The Consult team\n"
        "http://testserver\n"
    )
    consultant_text = email_to(
        "amelia@consult.example", "booking_consultant_moved"
    ).body_text
    assert (
        "New time: Tuesday 2 March 2027, 11:00\u201311:30 (Europe/London)\n"
        "For the client: Tuesday 2 March 2027, 20:00\u201320:30 (Asia/Tokyo)\n"
        "Was: Tuesday 2 March 2027, 09:00\u201309:30 (Europe/London)\n"
    ) in consultant_text


def test_booking_reschedule_twice_to_the_same_time_emails_each_party_once(
    consultant,
):
    booking = create(consultant=consultant).booking
    new_start = TUESDAY_9 + timedelta(hours=2)

    first = services.booking_reschedule(booking=booking, new_start=new_start, now=NOW)
    second = services.booking_reschedule(booking=booking, new_start=new_start, now=NOW)

    assert (first.outcome, second.outcome) == (Outcome.MOVED, Outcome.UNCHANGED)
    assert OutboundEmail.objects.filter(kind__endswith="moved").count() == 2


def test_moving_twice_sends_a_new_pair_with_each_sequence(consultant):
    booking = create(consultant=consultant).booking

    services.booking_reschedule(
        booking=booking, new_start=TUESDAY_9 + timedelta(hours=2), now=NOW
    )
    services.booking_reschedule(
        booking=booking, new_start=TUESDAY_9 + timedelta(hours=3), now=NOW
    )

    moved = OutboundEmail.objects.filter(to="grace@example.com", kind="booking_moved")
    assert sorted(moved.values_list("dedupe_key", flat=True)) == [
        f"booking:{booking.pk}:moved:client:1",
        f"booking:{booking.pk}:moved:client:2",
    ]
    assert sorted(event_of(email)["SEQUENCE"] for email in moved) == [1, 2]


# --- cancelled --------------------------------------------------------------------------


def test_booking_cancel_by_the_client_sends_both_a_cancel_with_a_higher_sequence(
    consultant, django_capture_on_commit_callbacks, mailoutbox
):
    booking = create(consultant=consultant).booking

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(
            booking=booking, reason="Found an answer", by=CancelledBy.CLIENT, now=NOW
        )

    client_email = email_to("grace@example.com", "booking_cancelled")
    consultant_email = email_to(
        "amelia@consult.example", "booking_consultant_cancelled"
    )
    for email in (client_email, consultant_email):
        calendar, part = calendar_of(email)
        [event] = calendar.walk("VEVENT")
        assert part["content_type"] == "text/calendar; method=CANCEL"
        assert calendar["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
        assert event["UID"] == f"{booking.uid}@consult"
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART") == TUESDAY_9
    assert client_email.dedupe_key == f"booking:{booking.pk}:cancelled:client:1"
    assert client_email.subject == (
        "Cancelled: your consultation with Amelia Hart, "
        "Tuesday 2 March 2027, 18:00 (Asia/Tokyo)"
    )
    assert client_email.body_text == (
        "Hello Grace Hopper,\n"
        "\n"
        "As you asked, we have cancelled your consultation with Amelia Hart.\n"
        "\n"
        "Cancelled: Tuesday 2 March 2027, 18:00\u201318:30 (Asia/Tokyo)\n"
        "\n"
        "The attached calendar file removes it from your calendar.\n"
        "\n"
        "If you would like to talk another time, you are welcome to book again:\n"
        "\n"
        "http://testserver/book/\n"
        "\n"
        "The Consult team\n"
        "http://testserver\n"
    )
    assert consultant_email.subject == (
        "Consultation cancelled: Tuesday 2 March 2027, 09:00 (Europe/London)"
    )
    assert (
        "The client has cancelled their consultation with you.\n"
        in consultant_email.body_text
    )
    assert "\nReason: Found an answer\n" in consultant_email.body_text
    assert len(mailoutbox) == 2


def test_booking_cancel_by_staff_gives_the_client_the_reason(consultant):
    booking = create(consultant=consultant).booking

    services.booking_cancel(
        booking=booking,
        reason="Amelia is unwell <today>.",
        by=CancelledBy.STAFF,
        now=NOW,
    )

    client_email = email_to("grace@example.com", "booking_cancelled")
    consultant_email = email_to(
        "amelia@consult.example", "booking_consultant_cancelled"
    )
    assert (
        "We are sorry: we have had to cancel your consultation with\n"
        "Amelia Hart.\n"
        "\n"
        "Cancelled: Tuesday 2 March 2027, 18:00\u201318:30 (Asia/Tokyo)\n"
        "\n"
        "Reason: Amelia is unwell <today>.\n"
    ) in client_email.body_text
    assert "Amelia is unwell &lt;today&gt;." in client_email.body_html
    assert (
        "A consultation with you was cancelled by staff.\n"
        in consultant_email.body_text
    )


def test_booking_cancel_twice_emails_each_party_once(consultant):
    booking = create(consultant=consultant).booking

    first = services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)
    second = services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)

    assert (first.outcome, second.outcome) == (
        Outcome.CANCELLED,
        Outcome.ALREADY_CANCELLED,
    )
    assert OutboundEmail.objects.filter(kind__endswith="cancelled").count() == 2


def test_booking_cancel_by_staff_after_the_meeting_ended_emails_nobody(consultant):
    booking = create(consultant=consultant).booking

    result = services.booking_cancel(
        booking=booking, by=CancelledBy.STAFF, now=TUESDAY_9 + timedelta(hours=1)
    )

    assert result.outcome == Outcome.CANCELLED
    assert not OutboundEmail.objects.filter(kind__endswith="cancelled").exists()


# --- the confirmation again, with a new manage link --------------------------------


def test_confirmation_resend_rotates_the_manage_link(
    consultant, client, django_capture_on_commit_callbacks, mailoutbox
):
    result = create(consultant=consultant)
    booking = result.booking

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirmation_resend(booking=booking)

    [resent] = OutboundEmail.objects.filter(dedupe_key__contains=":resend-")
    [path] = MANAGE_LINK.findall(resent.body_text)
    new_token = path.split("/")[-2]
    booking.refresh_from_db()
    assert resent.kind == "booking_confirmation"
    assert resent.to == "grace@example.com"
    assert resent.dedupe_key.startswith(
        f"booking:{booking.pk}:confirmation:client:0:resend-"
    )
    assert resent.subject == "Your consultation with Amelia Hart: your new private link"
    assert new_token != result.manage_token
    assert booking.manage_token_hash == token_hash(new_token)
    assert client.get(path).status_code == 200
    assert client.get(f"/book/manage/{result.manage_token}/").status_code == 404
    assert (
        f"http://testserver{path}\n"
        "\n"
        "This link replaces the one we sent before, which no longer works.\n"
        "Anyone with this link can change your booking, so keep it to yourself.\n"
    ) in resent.body_text
    assert "It replaces the one we sent before, which no longer works." in (
        resent.body_html
    )
    assert event_of(resent)["SEQUENCE"] == 0
    assert [m.subject for m in mailoutbox] == [resent.subject]


def test_confirmation_resend_twice_sends_two_and_only_the_last_link_works(
    consultant, client
):
    booking = create(consultant=consultant).booking

    services.booking_confirmation_resend(booking=booking)
    services.booking_confirmation_resend(booking=booking)

    resent = OutboundEmail.objects.filter(dedupe_key__contains=":resend-").order_by(
        "pk"
    )
    paths = [MANAGE_LINK.findall(email.body_text)[0] for email in resent]
    assert len(set(resent.values_list("dedupe_key", flat=True))) == 2
    assert [client.get(path).status_code for path in paths] == [404, 200]


def test_confirmation_resend_of_a_cancelled_booking_is_refused(consultant):
    booking = create(consultant=consultant).booking
    services.booking_cancel(booking=booking, by=CancelledBy.CLIENT, now=NOW)
    booking.refresh_from_db()
    hashed = booking.manage_token_hash

    with pytest.raises(ValidationError):
        services.booking_confirmation_resend(booking=booking)

    booking.refresh_from_db()
    assert booking.manage_token_hash == hashed
    assert not OutboundEmail.objects.filter(dedupe_key__contains=":resend-").exists()
