"""Bookings' domain enums and their labels, shared by its models, pages, emails and admin.

A leaf module: it imports nothing of the project, so any floor above may read it.
"""

from django.db import models


class Expertise(models.TextChoices):
    API = "api", "Foundation-model APIs"
    FINE_TUNE = "fine_tune", "Fine-tuning open models"
    CLASSICAL_ML = "classical_ml", "Classical machine learning"


class Weekday(models.IntegerChoices):
    # Python's date.weekday(): Monday is 0 (JavaScript counts from Sunday).
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    # The call's time has passed and nobody has said yet whether it took place
    # (``bookings.outcomes``): never counted as held or missed until someone does.
    AWAITING_OUTCOME = "awaiting_outcome", "Awaiting outcome"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"


ACTIVE_STATUSES = (BookingStatus.CONFIRMED,)
# A call that took place no longer blocks time, but it still had its place on its day.
HELD_STATUSES = (
    BookingStatus.AWAITING_OUTCOME,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)
# What staff may cancel: a call to come, and one over that nobody has recorded yet (it
# did not take place, and was not the client's no-show: the consultant was ill, the
# call was called off by phone). A client cancels only a call still to come.
STAFF_CANCELLABLE_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.AWAITING_OUTCOME,
)
# Whose outcome staff may record, or correct.
OUTCOME_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.AWAITING_OUTCOME,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)


class CancelledBy(models.TextChoices):
    CLIENT = "client", "Client"
    STAFF = "staff", "Staff"


class BookingLinkOrigin(models.TextChoices):
    """How a manage link came to exist, shown to the client on their links page."""

    BOOKED = "booked", "Made when you booked"
    LOST_LINK = "lost_link", "Sent by “Lost your link?”"
    RESENT = "resent", "Sent again by our team"
    MIGRATED = "migrated", "Made before links were listed here"
