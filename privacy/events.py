"""What an erasure tells the floors above (webhooks), inside the erasure's transaction.

``client_erased`` carries ``assessment_ids`` and ``booking_ids`` (what was erased) and
``now``; it is sent before the client's details are overwritten, so a receiver can still
withdraw pending work about them, and it must not keep their details anywhere.
"""

from __future__ import annotations

from django.dispatch import Signal

client_erased = Signal()
