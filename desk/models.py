"""The desk's admin pages that are not lists of a model of their own."""

from bookings.models import Booking


class Agenda(Booking):
    """Today and tomorrow's calls (``desk.agenda``), a page of the admin.

    A proxy, so the page has its place in the admin (its own address, the index's list
    of pages) without a table of its own.
    """

    class Meta:
        proxy = True
        verbose_name = "today and tomorrow"
        verbose_name_plural = "today and tomorrow"
