"""What a webhook says about an assessment or a booking: the body's ``data``.

Built from the row as the event carries it, inside the change's transaction. Never a
private link or its hash (``token_hash``, ``manage_token_hash``): a receiver is a
third party (a CRM, an automation), and a link would let it act as the client.
Times are UTC, in ISO 8601.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from advisor.models import Assessment, Recommendation
    from bookings.models import Booking


def time_iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def assessment_data(
    assessment: Assessment, recommendation: Recommendation | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": assessment.pk,
        "status": assessment.status,
        "submitted_at": time_iso(assessment.submitted_at),
        "contact": {
            "name": assessment.contact_name,
            "email": assessment.contact_email,
            "company": assessment.company,
            "role": assessment.role,
            "consents_to_contact": assessment.consent_contact,
        },
        "industry": assessment.industry,
        "regulations": list(assessment.regulations),
        "recommendation": None,
    }
    if recommendation is not None:
        data["recommendation"] = {
            "stack": recommendation.stack,
            "engine_version": recommendation.engine_version,
            "api_monthly_usd": (
                str(recommendation.api_monthly_usd)
                if recommendation.api_monthly_usd is not None
                else None
            ),
        }
    return data


def booking_data(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "uid": str(booking.uid),
        "status": booking.status,
        "start": time_iso(booking.start),
        "end": time_iso(booking.end),
        "consultant": {
            "id": booking.consultant_id,
            "name": booking.consultant.display_name,
        },
        "client": {
            "name": booking.name,
            "email": booking.email,
            "company": booking.company,
            "timezone": booking.client_timezone,
        },
        "topic": booking.topic,
        "assessment_id": booking.assessment_id,
        "stack": booking.stack,
        "cancelled_by": booking.cancelled_by or None,
        "cancel_reason": booking.cancel_reason,
        "cancelled_at": time_iso(booking.cancelled_at),
        "created_at": time_iso(booking.created_at),
        "updated_at": time_iso(booking.updated_at),
    }
