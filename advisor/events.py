"""What the advisor tells the floors above (webhooks) when an assessment changes.

Sent inside the transaction of the change, so a receiver's outbox row commits with it.
Carries ``assessment`` and ``recommendation``.
"""

from __future__ import annotations

from django.dispatch import Signal

assessment_submitted = Signal()
