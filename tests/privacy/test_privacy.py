from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from advisor.models import Assessment
from advisor.services import assessment_submit
from bookings.enums import BookingStatus
from bookings.models import Booking
from consult.emails import email_send
from consult.models import OutboundEmail
from privacy.services import ERASED_NAME, privacy_purge
from tests.factories.advisor import AssessmentFactory, UseCaseFactory
from tests.factories.bookings import BookingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("active_price_book")]


def submitted_with_booking():
    assessment = AssessmentFactory(company="Private Co")
    UseCaseFactory(assessment=assessment)
    assessment_submit(assessment=assessment)
    booking = BookingFactory(
        assessment_ref=str(assessment.pk), email="client@private.example"
    )
    return assessment, booking


def sent_email(related, to="client@private.example") -> OutboundEmail:
    return OutboundEmail.objects.create(
        kind="link",
        to=to,
        subject="Your link",
        body_text="secret body",
        body_html="<p>secret body</p>",
        dedupe_key=f"test:{related._meta.label_lower}:{related.pk}",
        status=OutboundEmail.Status.SENT,
        sent_at=timezone.now(),
        related_model=related._meta.label_lower,
        related_id=str(related.pk),
    )


def test_erase_assessment_asks_first(client):
    assessment, _ = submitted_with_booking()

    response = client.get(
        reverse("privacy:assessment_erase", kwargs={"token": assessment.token})
    )

    assert response.status_code == 200
    assert "Yes, delete my data" in response.content.decode()
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_erase_assessment_deletes_it_cancels_its_booking_and_erases_emails(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    assessment, booking = submitted_with_booking()
    name = default_storage.save("summaries/test.pdf", ContentFile(b"%PDF-1.4"))
    staff = default_storage.save("summaries/staff.pdf", ContentFile(b"%PDF-1.4"))
    Assessment.objects.filter(pk=assessment.pk).update(
        summary_pdf=name, staff_summary_pdf=staff
    )
    email = sent_email(assessment)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("privacy:assessment_erase", kwargs={"token": assessment.token})
        )

    booking.refresh_from_db()
    email.refresh_from_db()
    assert response.status_code == 200
    assert "Your data is deleted" in response.content.decode()
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert not default_storage.exists(name)
    assert not default_storage.exists(staff)
    assert booking.status == BookingStatus.CANCELLED
    assert (booking.name, booking.company, booking.topic) == (ERASED_NAME, "", "")
    assert booking.email == f"deleted-booking-{booking.uid}@erased.invalid"
    assert (email.to, email.body_text, email.subject) == (
        f"deleted-email-{email.pk}@erased.invalid",
        "",
        "(deleted)",
    )
    after = client.get(reverse("advisor:result", kwargs={"token": assessment.token}))
    assert after.status_code == 404
    # The consultant is told, and then our copy of that notice is erased too.
    [sent] = [m for m in mailoutbox if m.to == [booking.consultant.user.email]]
    assert "The client deleted their data." in sent.body
    notice = OutboundEmail.objects.get(kind="booking_consultant_cancelled")
    assert notice.status == OutboundEmail.Status.SENT
    assert (notice.to, notice.body_text, notice.attachments) == (
        f"deleted-email-{notice.pk}@erased.invalid",
        "",
        [],
    )
    assert not OutboundEmail.objects.filter(
        Q(body_text__contains="client@private.example")
        | Q(to="client@private.example")
        | Q(body_text__contains="Private Co")
    ).exists()


def test_erase_booking_from_the_manage_link(client):
    booking = BookingFactory(name="Grace Hopper", topic="Our plans")

    response = client.post(
        reverse("privacy:booking_erase", kwargs={"token": booking.token})
    )

    booking.refresh_from_db()
    assert response.status_code == 200
    assert booking.status == BookingStatus.CANCELLED
    assert (booking.name, booking.topic) == (ERASED_NAME, "")
    page = client.get(reverse("bookings:manage", kwargs={"token": booking.token}))
    assert "Grace Hopper" not in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        reverse("privacy:assessment_erase", kwargs={"token": "y" * 43}),
        reverse("privacy:booking_erase", kwargs={"token": "y" * 43}),
    ],
)
def test_erase_with_a_wrong_token_is_404(client, url):
    assert client.post(url).status_code == 404


def test_purge_deletes_old_drafts_and_keeps_recent_ones():
    now = timezone.now()
    old = AssessmentFactory()
    recent = AssessmentFactory()
    Assessment.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=31))
    Assessment.objects.filter(pk=recent.pk).update(updated_at=now - timedelta(days=29))

    report = privacy_purge(now=now)

    assert report.drafts == 1
    assert list(Assessment.objects.values_list("pk", flat=True)) == [recent.pk]


def test_purge_erases_records_past_retention(settings):
    settings.DATA_RETENTION_DAYS = 365
    assessment, booking = submitted_with_booking()
    Assessment.objects.filter(pk=assessment.pk).update(
        submitted_at=timezone.now() - timedelta(days=30)
    )
    later = timezone.now() + timedelta(days=400)

    report = privacy_purge(now=later)

    booking.refresh_from_db()
    assert (report.assessments, report.bookings) == (1, 0)
    assert not Assessment.objects.exists()
    assert booking.name == ERASED_NAME
    assert booking.status == BookingStatus.COMPLETED


def test_purge_twice_changes_nothing_more():
    AssessmentFactory()
    later = timezone.now() + timedelta(days=40)

    first = privacy_purge(now=later)
    second = privacy_purge(now=later)

    assert first.drafts == 1
    assert (second.drafts, second.assessments, second.bookings) == (0, 0, 0)


def test_purge_runs_hourly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-purge"]

    assert entry["task"] == "consult.privacy_purge"
    assert entry["schedule"] == 3600.0
    assert Booking.objects.count() == 0


def test_erase_while_a_notice_is_queued_sends_it_then_erases_it(client):
    booking = BookingFactory(name="Grace Hopper", email="grace@private.example")

    # The notices stay queued: no worker runs them yet.
    client.post(reverse("privacy:booking_erase", kwargs={"token": booking.token}))

    queued = OutboundEmail.objects.filter(related_id=str(booking.pk))
    assert {email.status for email in queued} == {OutboundEmail.Status.QUEUED}
    assert all(email.erase_when_done for email in queued)
    assert all(email.subject != "(deleted)" for email in queued)

    for email in queued:
        assert email_send(email_id=email.pk)

    assert [
        (email.status, email.subject, email.body_text, email.reply_to)
        for email in OutboundEmail.objects.filter(related_id=str(booking.pk))
    ] == [(OutboundEmail.Status.SENT, "(deleted)", "", "")] * queued.count()


def test_purge_erases_notices_of_erased_clients_that_failed():
    booking = BookingFactory()
    email = sent_email(booking, to="grace@private.example")
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.FAILED, sent_at=None, erase_when_done=True
    )
    kept = sent_email(AssessmentFactory(), to="other@example.com")

    privacy_purge()

    email.refresh_from_db()
    kept.refresh_from_db()
    assert (email.to, email.subject, email.body_html) == (
        f"deleted-email-{email.pk}@erased.invalid",
        "(deleted)",
        "",
    )
    assert (kept.to, kept.subject) == ("other@example.com", "Your link")


def queued_email(related, kind="booking_confirmation") -> OutboundEmail:
    return OutboundEmail.objects.create(
        kind=kind,
        to="grace@private.example",
        subject="Booked: your consultation",
        body_text="Grace Hopper, see you soon",
        body_html="<p>Grace Hopper</p>",
        dedupe_key=f"test:{kind}:{related.pk}",
        related_model=related._meta.label_lower,
        related_id=str(related.pk),
    )


def test_erase_withdraws_emails_still_queued_and_sends_only_its_own_notices(
    client, mailoutbox
):
    booking = BookingFactory(name="Grace Hopper", email="grace@private.example")
    confirmation = queued_email(booking)

    client.post(reverse("privacy:booking_erase", kwargs={"token": booking.token}))
    for email in OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED):
        email_send(email_id=email.pk)

    confirmation.refresh_from_db()
    assert confirmation.status == OutboundEmail.Status.FAILED
    assert confirmation.last_error == "Not sent: the client deleted their data."
    assert (confirmation.to, confirmation.body_text) == (
        f"deleted-email-{confirmation.pk}@erased.invalid",
        "",
    )
    sent_kinds = {
        email.kind
        for email in OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT)
    }
    assert sent_kinds <= {"booking_cancelled", "booking_consultant_cancelled"}
    assert all("Booked" not in message.subject for message in mailoutbox)


def test_an_erased_email_cannot_be_resent(admin_client):
    booking = BookingFactory()
    email = queued_email(booking)
    client_erase = reverse("privacy:booking_erase", kwargs={"token": booking.token})
    admin_client.post(client_erase)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED

    response = admin_client.post(
        reverse("admin:consult_outboundemail_changelist"),
        {"action": "resend", "_selected_action": [email.pk]},
        follow=True,
    )

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "skipped" in response.content.decode()


def test_erase_redacts_the_admin_history_and_the_cancellation_reason(admin_client):
    from django.contrib.admin.models import CHANGE, LogEntry  # noqa: PLC0415
    from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415

    booking = BookingFactory(name="Zebulon Quixote", email="zeb@private.example")
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.CANCELLED, cancel_reason="Call me on +44 7700 900123"
    )
    user = admin_client.get("/admin/").wsgi_request.user
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[Booking.objects.get(pk=booking.pk)],
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Status"]}}]',
        single_object=True,
    )
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Booking),
        object_id=str(booking.pk),
    )
    assert "Zebulon Quixote" in entry.object_repr

    admin_client.post(reverse("privacy:booking_erase", kwargs={"token": booking.token}))

    entry.refresh_from_db()
    booking.refresh_from_db()
    assert entry.object_repr == ERASED_NAME
    assert entry.get_change_message() == "Changed Status."
    assert booking.cancel_reason == ""
    assert not LogEntry.objects.filter(object_repr__contains="Zebulon").exists()
    assert not Booking.objects.filter(cancel_reason__contains="7700").exists()
