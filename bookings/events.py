"""What bookings tells the floors above (webhooks, calendars) when a booking changes.

Each signal is sent inside the transaction of the change it reports, so a receiver that
writes a row (an outbox entry) commits or rolls back with the change itself. Receivers
must be quick and must not talk to the network: work goes through the outbox.
Every signal carries ``booking`` (the row as it now is) and ``now``.
"""

from __future__ import annotations

from django.dispatch import Signal

booking_created = Signal()
# Also ``previous_start`` and ``previous_end``.
booking_rescheduled = Signal()
booking_cancelled = Signal()
# ``booking.status`` says which outcome: completed or no-show.
booking_outcome_recorded = Signal()
# The call was handed to another consultant (``booking.consultant``, same time, same
# calendar event, SEQUENCE + 1). Also ``previous_consultant`` (the ``Consultant`` it was
# with), ``by_user`` (the member of staff who handed it over) and ``reason``.
booking_reassigned = Signal()
