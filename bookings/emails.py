"""The booking emails: who gets which, what each says, and its calendar file.

The services in ``bookings.services`` call these inside the transaction that changes the
booking, so every email is an outbox row (``consult.emails.email_queue``) exactly when the
change is committed, and is sent only after the commit.

Dedupe keys name the booking, the event, the recipient and the booking's SEQUENCE
(``booking:<id>:confirmation:client:<sequence>``): running a service or the reminder scan
twice queues each email once, while a moved booking, which has a new SEQUENCE, gets new
ones.

The client and the consultant each see times in their own zone and on their own clock
(``consult.timezones.Times``: the client's as they booked, the consultant's their
zone's country's), the zone named once, after the first time; calendar files are in
UTC with the booking's stable UID.
"""

from __future__ import annotations

import enum
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import CharField, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from advisor.selectors import assessment_brief
from bookings.enums import BookingStatus, CancelledBy
from bookings.ics import booking_ics, booking_ics_method
from bookings.meetings import meeting_url, prep_sheet_url
from consult.emails import Attachment, email_queue
from consult.models import OutboundEmail

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bookings.models import Booking, Consultant
    from consult.timezones import Times

logger = logging.getLogger(__name__)

CLIENT = "client"
CONSULTANT = "consultant"
CALENDAR_FILENAME = "consultation.ics"


class Reminder(enum.StrEnum):
    """The two reminders; the value is the event's name in the dedupe key."""

    DAY = "reminder-24h"
    HOUR = "reminder-1h"


def _dedupe_key_parts[T](
    booking_id: T, event: str, recipient: str, sequence: T
) -> tuple[str, T, str, T]:
    # One order of parts for both forms: values in Python, the outer row's in SQL.
    return ("booking:", booking_id, f":{event}:{recipient}:", sequence)


def dedupe_key(booking: Booking, event: str, recipient: str, suffix: str = "") -> str:
    parts = _dedupe_key_parts(booking.pk, event, recipient, booking.sequence)
    key = "".join(str(part) for part in parts)
    return f"{key}:{suffix}" if suffix else key


def dedupe_key_sql(event: str, recipient: str) -> Concat:
    """``dedupe_key`` built in SQL for the booking of the outer query (no suffix)."""
    parts = _dedupe_key_parts(OuterRef("pk"), event, recipient, OuterRef("sequence"))
    return Concat(
        *(
            Value(part) if isinstance(part, str) else Cast(part, CharField())
            for part in parts
        ),
        output_field=CharField(),
    )


# --- times in the recipient's zone ----------------------------------------------------


def _times(booking: Booking, times: Times) -> dict[str, str]:
    """The booking's times as one reader reads them; ``when`` names the zone, and the
    other times of the email (the preheader's, the previous one) leave it out.

    Both zones are validated on save; a row edited around the validators still gets
    an email, in UTC (``Times.of``), rather than an error that would undo the booking.
    """
    when = times.when(booking.start, booking.end)
    return {
        "when": times.zoned(when, booking.start),
        "when_short": when,
        # Subjects are read alone in an inbox: they name the zone too.
        "starts": times.zoned(times.start(booking.start), booking.start),
    }


# --- building blocks ------------------------------------------------------------------


def _minutes(booking: Booking) -> int:
    return int((booking.end - booking.start).total_seconds() // 60)


def _calendar(
    booking: Booking, *, for_consultant: bool, manage_url: str, now: datetime
) -> Attachment:
    method = booking_ics_method(booking)
    content = booking_ics(
        booking,
        manage_url=manage_url,
        attendee=True,
        for_consultant=for_consultant,
        now=now,
    )
    return Attachment.text(
        CALENDAR_FILENAME, f"text/calendar; method={method}", content.decode()
    )


def client_calendar(booking: Booking, *, now: datetime) -> Attachment:
    """The client's invitation as the booking stands, made out to its address now.

    Without the manage link: only its hash is stored.
    """
    return _calendar(booking, for_consultant=False, manage_url="", now=now)


def _manage_url(token: str) -> str:
    return settings.SITE_URL + reverse("bookings:manage", kwargs={"token": token})


def _links_url(token: str) -> str:
    return settings.SITE_URL + reverse("bookings:links", kwargs={"token": token})


def _consultant_address(booking: Booking) -> str:
    return booking.consultant.user.email


def _client_context(booking: Booking) -> dict[str, object]:
    consultant = booking.consultant
    return {
        "name": booking.name,
        "consultant_name": consultant.display_name,
        "minutes": _minutes(booking),
        **_times(booking, booking.client_times),
        "meeting_url": meeting_url(booking),
        "topic": booking.topic,
        "book_url": settings.SITE_URL + reverse("bookings:book"),
    }


def _consultant_context(booking: Booking) -> dict[str, object]:
    consultant = booking.consultant
    times, client_times = consultant.times, booking.client_times
    return {
        "consultant_name": consultant.display_name,
        "client_name": booking.name,
        "client_email": booking.email,
        "company": booking.company,
        "topic": booking.topic,
        "minutes": _minutes(booking),
        **_times(booking, times),
        # The client's own clock, so "see you this evening" is said right.
        "client_when": (
            client_times.zoned(
                client_times.when(booking.start, booking.end), booking.start
            )
            if client_times.tz_name != times.tz_name
            else ""
        ),
        "meeting_url": meeting_url(booking),
        "booking_admin_url": settings.SITE_URL
        + reverse("admin:bookings_booking_change", args=[booking.pk]),
        "prep_sheet_url": prep_sheet_url(booking),
    }


def _to_client(  # noqa: PLR0913 -- keyword-only, each part of the email
    *,
    booking: Booking,
    kind: str,
    event: str,
    context: dict[str, object],
    attachments: Sequence[Attachment] = (),
    suffix: str = "",
    expires_at: datetime | None = None,
) -> None:
    email_queue(
        kind=kind,
        to=booking.email,
        context=context,
        dedupe_key=dedupe_key(booking, event, CLIENT, suffix),
        attachments=attachments,
        # A reply reaches the person the client is meeting.
        reply_to=_consultant_address(booking) or None,
        related=booking,
        expires_at=expires_at,
    )


def _to_consultant(  # noqa: PLR0913 -- keyword-only, each part of the email
    *,
    booking: Booking,
    kind: str,
    event: str,
    context: dict[str, object],
    attachments: Sequence[Attachment] = (),
    expires_at: datetime | None = None,
) -> None:
    address = _consultant_address(booking)
    if not address:
        # The admin lets a consultant exist without an email address; the booking
        # still stands and shows in their admin list.
        logger.warning(
            "booking %s: consultant %s has no email address; %s not sent",
            booking.pk,
            booking.consultant_id,
            kind,
        )
        return
    email_queue(
        kind=kind,
        to=address,
        context=context,
        dedupe_key=dedupe_key(booking, event, CONSULTANT),
        attachments=attachments,
        # The consultant can answer the client straight from the notification.
        reply_to=booking.email,
        related=booking,
        expires_at=expires_at,
    )


# --- the emails -----------------------------------------------------------------------


def confirmation_email_queue(
    *,
    booking: Booking,
    manage_token: str,
    now: datetime,
    resent_at: datetime | None = None,
) -> None:
    """The client's confirmation, with their private manage link and the invite.

    Only the token's hash is stored, so this is called where the token is known: by
    ``booking_create`` and, with a further token, by ``booking_confirmation_resend``
    (``resent_at``). The rendered body in the outbox row holds the link, as every
    emailed private link does; staff who can read the email log can change the booking
    in the admin anyway.
    """
    manage_url = _manage_url(manage_token)
    suffix = ""
    if resent_at is not None:
        # Fresh for every resend, and never reused even after old rows are purged.
        suffix = f"resend-{resent_at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}"
    _to_client(
        booking=booking,
        kind="booking_confirmation",
        event="confirmation",
        context={
            **_client_context(booking),
            "manage_url": manage_url,
            "resent": resent_at is not None,
            # A resent link comes beside the ones sent before, which still work:
            # the links page, reached through the new one, lists and revokes them.
            "links_url": _links_url(manage_token) if resent_at is not None else "",
        },
        attachments=[
            _calendar(booking, for_consultant=False, manage_url=manage_url, now=now)
        ],
        suffix=suffix,
    )


def created_emails_queue(*, booking: Booking, manage_token: str, now: datetime) -> None:
    """A new booking: the client's confirmation and the consultant's notification."""
    confirmation_email_queue(booking=booking, manage_token=manage_token, now=now)
    _new_call_to_consultant(booking=booking, event="confirmation", now=now)


def _new_call_to_consultant(
    *, booking: Booking, event: str, now: datetime, **extra: object
) -> None:
    """The consultant's "new call" email: its invitation, the client's brief and
    their summary PDF when the call came from an assessment; ``extra`` adds to the
    context (a handover says from whom, and why)."""
    brief = assessment_brief(assessment_id=booking.assessment_id)
    attachments = [_calendar(booking, for_consultant=True, manage_url="", now=now)]
    pdf_attached = brief is not None and brief.pdf is not None
    if pdf_attached:
        attachments.append(brief.pdf)
    _to_consultant(
        booking=booking,
        kind="booking_consultant_new",
        event=event,
        context={
            **_consultant_context(booking),
            "assessment": brief,
            "pdf_attached": pdf_attached,
            **extra,
        },
        attachments=attachments,
    )


REMINDER_KINDS = ("booking_reminder", "booking_consultant_reminder")


def _reminders_withdraw(booking: Booking) -> None:
    # A reminder the mail server deferred is still queued: after a move or a
    # cancellation it would announce a time that no longer holds.
    reminders = OutboundEmail.objects.about(booking).filter(kind__in=REMINDER_KINDS)
    reminders.filter(status=OutboundEmail.Status.QUEUED).delete()
    # One being sent right now may still be deferred and come back: expired, its
    # retry fails instead of sending.
    reminders.filter(status=OutboundEmail.Status.SENDING).update(
        expires_at=timezone.now()
    )


def moved_emails_queue(
    *, booking: Booking, previous_start: datetime, previous_end: datetime, now: datetime
) -> None:
    """The same event at a new time: same UID, the booking's new (higher) SEQUENCE."""
    _reminders_withdraw(booking)
    client = _client_context(booking)
    client["previous_when"] = booking.client_times.when(previous_start, previous_end)
    _to_client(
        booking=booking,
        kind="booking_moved",
        event="moved",
        context=client,
        # No manage link: its token is not stored. The one in the confirmation still
        # works, and the email says so.
        attachments=[_calendar(booking, for_consultant=False, manage_url="", now=now)],
    )
    consultant = _consultant_context(booking)
    consultant["previous_when"] = booking.consultant.times.when(
        previous_start, previous_end
    )
    _to_consultant(
        booking=booking,
        kind="booking_consultant_moved",
        event="moved",
        context=consultant,
        attachments=[_calendar(booking, for_consultant=True, manage_url="", now=now)],
    )


def cancelled_emails_queue(*, booking: Booking, now: datetime) -> None:
    """METHOD:CANCEL to both, whoever cancelled; the reason when it helps the reader."""
    _reminders_withdraw(booking)
    by_client = booking.cancelled_by == CancelledBy.CLIENT
    _to_client(
        booking=booking,
        kind="booking_cancelled",
        event="cancelled",
        context={
            **_client_context(booking),
            "by_client": by_client,
            # The client knows their own reason; staff owe them theirs.
            "reason": "" if by_client else booking.cancel_reason,
        },
        attachments=[_calendar(booking, for_consultant=False, manage_url="", now=now)],
    )
    canceller = booking.cancelled_by_user
    _to_consultant(
        booking=booking,
        kind="booking_consultant_cancelled",
        event="cancelled",
        context={
            **_consultant_context(booking),
            "by_client": by_client,
            "by_you": canceller is not None
            and canceller.pk == booking.consultant.user_id,
            "by_name": (canceller.get_full_name() or canceller.get_username())
            if canceller is not None
            else "",
            "reason": booking.cancel_reason,
        },
        attachments=[_calendar(booking, for_consultant=True, manage_url="", now=now)],
    )


def reminder_emails_queue(*, booking: Booking, reminder: Reminder) -> None:
    """A reminder to both, once per booking, reminder and SEQUENCE.

    The client's reminder has no manage link: the token exists only as a hash, and
    rotating it here would silently break the link in the confirmation they kept (and
    storing a recoverable copy would undo the hashing). It points them to that link
    instead, and to the page that emails a new one.
    """
    soon = reminder == Reminder.HOUR
    _to_client(
        booking=booking,
        kind="booking_reminder",
        event=reminder.value,
        context={
            **_client_context(booking),
            "soon": soon,
            "lost_link_url": settings.SITE_URL + reverse("bookings:lost_link"),
        },
        # Held back by the mail server past the start, it would only confuse.
        expires_at=booking.start,
    )
    context = {**_consultant_context(booking), "soon": soon}
    if not soon:
        # The day before is when a consultant prepares; an hour before, the time and
        # the link are what matter.
        context["assessment"] = assessment_brief(assessment_id=booking.assessment_id)
    _to_consultant(
        booking=booking,
        kind="booking_consultant_reminder",
        event=reminder.value,
        context=context,
        expires_at=booking.start,
    )


def missed_email_queue(*, booking: Booking, now: datetime) -> None:
    """ "Sorry we missed you" to a client marked a no-show, with the booking page.

    Once per booking and SEQUENCE: marking it no-show again after a correction does
    not send it twice.
    """
    _to_client(
        booking=booking,
        kind="booking_missed",
        event="missed",
        context=_client_context(booking),
    )


# The old consultant's copy of a handed-over call: the recipient part of its dedupe key.
PREVIOUS_CONSULTANT = "previous-consultant"


def _with_previous_consultant(booking: Booking, previous: Consultant) -> Booking:
    """The call as the consultant it was handed from last had it, now cancelled for them.

    A separate unsaved copy (same id, UID and SEQUENCE): the booking itself, and its
    cached consultant, stay as they are.
    """
    model = type(booking)
    copy = model(
        **{
            field.attname: getattr(booking, field.attname)
            for field in model._meta.concrete_fields  # noqa: SLF001 -- documented API
        }
    )
    copy.consultant = previous
    copy.status = BookingStatus.CANCELLED
    return copy


def reassigned_emails_queue(  # noqa: PLR0913 -- keyword-only, each part of the handover
    *,
    booking: Booking,
    previous: Consultant,
    reason: str,
    by_name: str,
    by_previous: bool,
    now: datetime,
) -> None:
    """A call handed from ``previous`` to ``booking.consultant``, the time unchanged.

    The client is told who they now meet, with the same event (same UID, the booking's
    new SEQUENCE, METHOD:REQUEST) so their calendar updates it in place. The new
    consultant gets the "new consultation" email with its invite; the previous one a
    METHOD:CANCEL of the same UID, which removes it from their calendar. Keyed by the
    new SEQUENCE, so a call handed on again is told again.
    """
    _reminders_withdraw(booking)
    client = _client_context(booking)
    client["previous_consultant_name"] = previous.display_name
    _to_client(
        booking=booking,
        kind="booking_reassigned",
        event="reassigned",
        context=client,
        # No manage link: its token is not stored. The one in the confirmation still
        # works, and the email says so.
        attachments=[_calendar(booking, for_consultant=False, manage_url="", now=now)],
    )
    _new_call_to_consultant(
        booking=booking,
        event="reassigned",
        now=now,
        handed_from=previous.display_name,
        reason=reason,
    )
    old = _with_previous_consultant(booking, previous)
    address = previous.user.email
    if not address:
        logger.warning(
            "booking %s: consultant %s has no email address; handover not sent",
            booking.pk,
            previous.pk,
        )
        return
    email_queue(
        kind="booking_consultant_handed_over",
        to=address,
        context={
            **_consultant_context(old),
            "new_consultant_name": booking.consultant.display_name,
            "by_name": "" if by_previous else by_name,
            "by_you": by_previous,
            "reason": reason,
            # The booking, and the prep sheet it came with, are no longer theirs to open.
            "booking_admin_url": "",
            "prep_sheet_url": "",
        },
        dedupe_key=dedupe_key(booking, "reassigned", PREVIOUS_CONSULTANT),
        attachments=[_calendar(old, for_consultant=True, manage_url="", now=now)],
        related=booking,
    )
