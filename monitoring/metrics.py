"""The site's own Prometheus metrics, read from the database at each scrape.

Counted from the rows rather than in each process's memory: gunicorn runs several
processes and Celery more, and a scrape reaches one of them; the database is the
one place every booking, assessment and email is counted once.

* ``consult_bookings_created_total``, ``consult_bookings_cancelled_total``
* ``consult_bookings`` by status (a gauge)
* ``consult_assessments_submitted_total``
* ``consult_outbox_emails`` by status, ``consult_outbox_oldest_queued_seconds``

Requests, latencies and database calls come from django-prometheus alongside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily

from advisor.models import Assessment
from bookings.enums import BookingStatus
from bookings.models import Booking
from consult.enums import EmailStatus
from consult.models import OutboundEmail

if TYPE_CHECKING:
    from collections.abc import Iterator

    from prometheus_client.core import Metric


_DESCRIBED = (
    CounterMetricFamily("consult_bookings_created", ""),
    CounterMetricFamily("consult_bookings_cancelled", ""),
    GaugeMetricFamily("consult_bookings", "", labels=["status"]),
    CounterMetricFamily("consult_assessments_submitted", ""),
    GaugeMetricFamily("consult_outbox_emails", "", labels=["status"]),
    GaugeMetricFamily("consult_outbox_oldest_queued_seconds", ""),
)


class ConsultCollector:
    def describe(self) -> Iterator[Metric]:
        # Registering asks for the names; describing them keeps that from querying
        # the database while the apps are still loading.
        yield from _DESCRIBED

    def collect(self) -> Iterator[Metric]:
        by_status = dict(
            Booking.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        created = CounterMetricFamily(
            "consult_bookings_created", "Consultations booked (rows still kept)."
        )
        created.add_metric([], sum(by_status.values()))
        yield created
        cancelled = CounterMetricFamily(
            "consult_bookings_cancelled", "Consultations cancelled (rows still kept)."
        )
        cancelled.add_metric([], by_status.get(BookingStatus.CANCELLED, 0))
        yield cancelled
        bookings = GaugeMetricFamily(
            "consult_bookings", "Consultations by status.", labels=["status"]
        )
        for status in BookingStatus.values:
            bookings.add_metric([status], by_status.get(status, 0))
        yield bookings

        submitted = CounterMetricFamily(
            "consult_assessments_submitted", "Assessments submitted (rows still kept)."
        )
        submitted.add_metric(
            [], Assessment.objects.filter(status=Assessment.Status.SUBMITTED).count()
        )
        yield submitted

        emails = dict(
            OutboundEmail.objects.values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        outbox = GaugeMetricFamily(
            "consult_outbox_emails",
            "Emails in the outbox by status.",
            labels=["status"],
        )
        for status in EmailStatus.values:
            outbox.add_metric([status], emails.get(status, 0))
        yield outbox
        oldest = OutboundEmail.objects.filter(status=EmailStatus.QUEUED).aggregate(
            oldest=Min("created_at")
        )["oldest"]
        age = GaugeMetricFamily(
            "consult_outbox_oldest_queued_seconds",
            "Age of the oldest email still waiting to be sent (0 when none waits).",
        )
        age.add_metric(
            [], 0.0 if oldest is None else (timezone.now() - oldest).total_seconds()
        )
        yield age


_COLLECTOR = ConsultCollector()


def collector_register() -> None:
    """Add the collector to the default registry once per process."""
    if _COLLECTOR not in REGISTRY._collector_to_names:  # noqa: SLF001 -- no public lookup
        REGISTRY.register(_COLLECTOR)
