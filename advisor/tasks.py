"""Celery tasks for the advisor: thin wrappers that take ids.

``pdf.assessment_summary`` runs on the ``pdf`` queue; ``advisor.summaries_relay``
(beat, every minute) on ``default``.
"""

from celery import shared_task

from advisor import services, summaries


@shared_task(
    name=summaries.SUMMARY_TASK,
    acks_late=True,
    # Storage hiccups (a full or unreachable disk or bucket) pass; a bug in
    # the PDF does not, and the relay tries it again later anyway.
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=4,
)
def assessment_summary(
    *, assessment_id: int, token: str | None = None, relink: bool = False
) -> bool:
    # ``token`` is the client's private link, to put in the PDF and email; it
    # is masked in Celery's logs by the caller (see advisor.summaries).
    return summaries.assessment_summary_build(
        assessment_id=assessment_id, token=token, relink=relink
    )


@shared_task(name="advisor.summaries_relay", acks_late=True)
def summaries_relay() -> int:
    return summaries.assessment_summaries_relay()


@shared_task(name=services.LINKS_RESEND_TASK, acks_late=True)
def links_resend(*, email: str) -> int:
    # The address is masked in Celery's logs by the caller (kwargsrepr).
    return services.assessment_links_resend(email=email)
