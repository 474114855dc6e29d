"""The outbox's link email, queued for a test to send or drive by hand."""

from consult.emails import email_queue
from consult.models import OutboundEmail

Status = OutboundEmail.Status
LINK_CONTEXT = {
    "name": "Ana",
    "url": "http://testserver/assess/r/abc?x=1&y=2",
    "what": "your assessment",
}


def queue_link(*, to="ana@example.com", key="link:1", **overrides):
    return email_queue(
        kind="link",
        to=to,
        context={**LINK_CONTEXT, **overrides.pop("context", {})},
        dedupe_key=key,
        **overrides,
    )


def queued(django_capture_on_commit_callbacks, **kwargs) -> OutboundEmail:
    # Queues without running the send, so a test can drive it by hand.
    with django_capture_on_commit_callbacks(execute=False):
        return queue_link(**kwargs)
