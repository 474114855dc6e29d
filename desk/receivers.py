"""What the desk does when a lower app reports a change (``DeskConfig.ready``)."""

from __future__ import annotations

from typing import Any

from bookings.notes import booking_notes_erase


def client_notes_erase(sender: Any, *, booking_ids: list[int], **kwargs: Any) -> None:
    """A client erased their data: staff's notes on their calls speak of them.

    The assessment's notes go with the assessment itself, which is deleted; a booking
    is kept (when and with whom) without its client, so its notes are deleted here,
    inside the erasure's transaction.
    """
    booking_notes_erase(booking_ids=booking_ids)
