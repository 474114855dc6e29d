"""The retention purge, run by beat every hour."""

from celery import shared_task

from privacy.services import privacy_purge as purge


# The name predates this app: beat schedules and messages already queued know it by it.
@shared_task(name="consult.privacy_purge", acks_late=True)
def privacy_purge() -> dict:
    """Erase drafts and records past their retention (beat, hourly)."""
    report = purge()
    return {
        "drafts": report.drafts,
        "assessments": report.assessments,
        "bookings": report.bookings,
        "emails": report.emails,
    }
