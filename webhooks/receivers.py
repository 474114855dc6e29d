"""The domain events that become webhooks: each receiver writes deliveries to the outbox
in the transaction of the change (the network is reached only by the worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor import events as advisor_events
from bookings import events as booking_events
from privacy import events as privacy_events
from webhooks.enums import WebhookEvent
from webhooks.payloads import assessment_data, booking_data, time_iso
from webhooks.services import webhook_client_erased, webhook_event_queue

if TYPE_CHECKING:
    from datetime import datetime

    from advisor.models import Assessment, Recommendation
    from bookings.models import Booking


def _assessment_submitted(
    sender: object,
    *,
    assessment: Assessment,
    recommendation: Recommendation,
    **kwargs: Any,
) -> None:
    webhook_event_queue(
        event=WebhookEvent.ASSESSMENT_SUBMITTED,
        data=assessment_data(assessment, recommendation),
        now=assessment.submitted_at,
        assessment_id=assessment.pk,
    )


def _booking_event(event: WebhookEvent):
    def receive(
        sender: object, *, booking: Booking, now: datetime, **kwargs: Any
    ) -> None:
        data = booking_data(booking)
        if event == WebhookEvent.BOOKING_RESCHEDULED:
            previous = kwargs.get("previous_start"), kwargs.get("previous_end")
            data["previous_start"], data["previous_end"] = (
                time_iso(previous[0]),
                time_iso(previous[1]),
            )
        if event == WebhookEvent.BOOKING_REASSIGNED:
            previous = kwargs["previous_consultant"]
            data["previous_consultant"] = {
                "id": previous.pk,
                "name": previous.display_name,
            }
        webhook_event_queue(
            event=event,
            data=data,
            now=now,
            booking_id=booking.pk,
            assessment_id=booking.assessment_id,
        )

    return receive


def _client_erased(
    sender: object,
    *,
    assessment_ids: list[int],
    booking_ids: list[int],
    now: datetime,
    **kwargs: Any,
) -> None:
    webhook_client_erased(
        assessment_ids=list(assessment_ids), booking_ids=list(booking_ids), now=now
    )


_BOOKING_SIGNALS = {
    WebhookEvent.BOOKING_CREATED: booking_events.booking_created,
    WebhookEvent.BOOKING_RESCHEDULED: booking_events.booking_rescheduled,
    WebhookEvent.BOOKING_CANCELLED: booking_events.booking_cancelled,
    WebhookEvent.BOOKING_REASSIGNED: booking_events.booking_reassigned,
    WebhookEvent.BOOKING_OUTCOME_RECORDED: booking_events.booking_outcome_recorded,
}
# Strong references: a receiver made by a function would otherwise be collected.
_RECEIVERS = {event: _booking_event(event) for event in _BOOKING_SIGNALS}


def receivers_connect() -> None:
    advisor_events.assessment_submitted.connect(
        _assessment_submitted, dispatch_uid="webhooks.assessment_submitted"
    )
    for event, signal in _BOOKING_SIGNALS.items():
        signal.connect(_RECEIVERS[event], dispatch_uid=f"webhooks.{event}")
    privacy_events.client_erased.connect(
        _client_erased, dispatch_uid="webhooks.client_erased"
    )
