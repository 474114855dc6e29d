"""The links to an assessment: the client's private links and read-only share links.

A token is random in the URL and only its SHA-256 is stored (``consult.tokens``). A
link is found by its hash, compared in constant time, and only while nobody has
revoked it; a revoked or unknown link is the same 404. A client may hold several
private links at once: "Lost your link?" adds one and takes none away, and the
client revokes the others on their links page, reached through any of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from advisor.models import Assessment, AssessmentLink
from consult.tokens import token_hash, token_matches, token_new

if TYPE_CHECKING:
    from advisor.enums import LinkKind, LinkOrigin

# Tokens are 43 characters; anything much longer is not ours and not worth hashing.
MAX_TOKEN_LENGTH = 64
# "Last used" is a guide for the client, not an audit trail: one write per link in
# this long at most, so reading a page does not write a row every time.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def assessment_link_create(
    *,
    assessment: Assessment,
    kind: LinkKind,
    origin: LinkOrigin,
    note: str = "",
    now: datetime | None = None,
) -> str:
    """Add a link to ``assessment``; return its token (the only time it is known)."""
    token, digest = token_new()
    AssessmentLink.objects.create(
        assessment=assessment,
        kind=kind,
        origin=origin,
        token_hash=digest,
        note=note,
        created_at=now or timezone.now(),
    )
    return token


def link_active_by_token(token: str, *, kind: LinkKind) -> AssessmentLink | None:
    """The active link of this kind behind ``token``, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    link = (
        AssessmentLink.objects.filter(
            token_hash=token_hash(token), kind=kind, revoked_at__isnull=True
        )
        .only("pk", "assessment_id", "token_hash", "last_used_at")
        .first()
    )
    # The lookup is by hash, so its timing says nothing about the token; the
    # constant-time comparison guards against a store that matched loosely.
    if link is None or not token_matches(token, link.token_hash):
        return None
    return link


def link_used(link: AssessmentLink, *, now: datetime | None = None) -> None:
    """Note that ``link`` was just used, at most once per ``LAST_USED_RESOLUTION``."""
    now = now or timezone.now()
    if link.last_used_at is not None and now - link.last_used_at < LAST_USED_RESOLUTION:
        return
    AssessmentLink.objects.filter(pk=link.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    link.last_used_at = now


def assessment_links_active(assessment: Assessment) -> QuerySet[AssessmentLink]:
    return AssessmentLink.objects.filter(
        assessment=assessment, revoked_at__isnull=True
    ).order_by("kind", "-created_at", "-pk")


def assessment_link_revoke(
    *, assessment: Assessment, link_id: int, keep: AssessmentLink
) -> bool:
    """Revoke one link of ``assessment``, never ``keep`` (the one in use); True if done."""
    if link_id == keep.pk:
        return False
    revoked = AssessmentLink.objects.filter(
        pk=link_id, assessment=assessment, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return bool(revoked)


def assessment_links_revoke_others(
    *, assessment: Assessment, keep: AssessmentLink, kind: LinkKind
) -> int:
    """Revoke every active link of this kind but ``keep``; return how many."""
    return (
        AssessmentLink.objects.filter(
            assessment=assessment, kind=kind, revoked_at__isnull=True
        )
        .exclude(pk=keep.pk)
        .update(revoked_at=timezone.now())
    )


@transaction.atomic
def assessment_links_delete(*, assessment: Assessment) -> int:
    """Delete every link to ``assessment``, revoked or not (erasure)."""
    deleted, _ = AssessmentLink.objects.filter(assessment=assessment).delete()
    return deleted
