"""Receivers of the bookings' domain events: queue each change for the consultant's
CalDAV calendar (see ``calendars.writeback``)."""

from __future__ import annotations


def connect() -> None:
    """Connected once, by the app's ``ready``."""
