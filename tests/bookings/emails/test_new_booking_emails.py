"""A new booking: the client's confirmation and the consultant's notification,
queued on commit, once."""

import logging
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from advisor.models import Assessment
from advisor.services import assessment_submit
from bookings import emails
from bookings.models import Booking
from bookings.services import AssessmentLink, Outcome
from consult.models import OutboundEmail
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import ConsultantFactory
from tests.helpers.booking_emails import MANAGE_LINK, MEET, calendar_of, email_to
from tests.helpers.booking_service import NOW, OFFICE, TUESDAY_9, create

pytestmark = pytest.mark.django_db


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
            "New consultation booked: Tuesday 2 March 2027, 09:00 London time (GMT)",
        ),
        (
            "grace@example.com",
            (
                "Booked: your consultation with Amelia Hart, "
                "Tuesday 2 March 2027, 18:00 Tokyo time (JST)"
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
        "When: Tuesday 2 March 2027, 18:00\u201318:30 Tokyo time (JST)\n"
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
        "<strong>Tuesday 2 March 2027, 18:00\u201318:30 Tokyo time (JST)</strong>"
        in html
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
    # Calendars are often shared: the private link stays in the email unless asked for.
    assert result.manage_token not in str(event["DESCRIPTION"])


def test_the_calendar_invitation_carries_the_manage_link_when_the_client_asks(
    consultant,
):
    result = create(consultant=consultant, manage_link_in_calendar=True)

    calendar, _ = calendar_of(email_to("grace@example.com", "booking_confirmation"))
    [event] = calendar.walk("VEVENT")
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
        "When: Tuesday 2 March 2027, 09:00\u201309:30 London time (GMT)\n"
        "For the client: Tuesday 2 March 2027, 18:00\u201318:30 Tokyo time (JST)\n"
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
        "The booking in the admin:\n"
    ) in email.body_text
    # The prep sheet's link comes first, with the call's details.
    assert f"Prep sheet: {admin_url}\n" in email.body_text
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
