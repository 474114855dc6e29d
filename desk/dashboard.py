"""The figures at the top of the admin: a fixed handful of queries, whatever the data size.

Weeks run Monday to Sunday in the viewer's time zone: a consultant's own
(``consult.middleware.StaffTimezoneMiddleware``), else the site's (``TIME_ZONE``, UTC).
A booking counts in the week it was made; a submission converts when any call was booked
from it, whatever became of the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from advisor.enums import PATH_LABELS
from advisor.models import Assessment, Recommendation
from bookings.availability import week_monday
from bookings.conflicts import Conflict, bookings_in_conflict
from bookings.enums import BookingStatus
from bookings.models import Booking, Consultant
from bookings.selectors import assessment_booked
from calendars.selectors import StaleCalendar, calendars_stale
from consult.models import ERASED_SUBJECT, OutboundEmail
from consult.staff import staff_sees_everyone
from desk.ownership import emails_theirs

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

VERDICT_WEEKS = 12
UPCOMING_LIMIT = 8
TEAM_UPCOMING_LIMIT = 12
AWAITING_LIMIT = 8
FAILED_EMAIL_LIMIT = 5
# Emails about one row that go to several people (a result forwarded to colleagues).
FANNED_OUT_KINDS = ("assessment_shared",)

# The verdict chart's geometry, in SVG user units (the SVG scales to its box).
CHART_WIDTH = 460
CHART_LABEL_WIDTH = 170
CHART_VALUE_WIDTH = 40
CHART_ROW = 30
CHART_BAR = 18


@dataclass(frozen=True)
class WeekFigures:
    submissions: int
    bookings: int
    converted: int

    @property
    def conversion_percent(self) -> int | None:
        if not self.submissions:
            return None
        return round(100 * self.converted / self.submissions)


@dataclass(frozen=True)
class VerdictBar:
    key: str
    label: str
    count: int
    # Where the chart draws it.
    y: int
    width: int
    text_y: int
    value_x: int


@dataclass(frozen=True)
class Dashboard:
    week_start: date
    this_week: WeekFigures
    last_week: WeekFigures
    verdicts: tuple[VerdictBar, ...]
    verdicts_since: date
    verdict_weeks: int
    verdict_total: int
    chart_width: int
    chart_height: int
    chart_track: int
    chart_bar_x: int
    consultant: Consultant | None
    upcoming: tuple[Booking, ...]
    # Superusers and Managers: every consultant's; the figures above are company-wide.
    sees_everyone: bool
    team_upcoming: tuple[Booking, ...]
    # Calls whose time has passed with no outcome recorded: the viewer's own, or
    # everyone's for those who see everyone.
    awaiting_outcome: int
    awaiting_recent: tuple[Booking, ...]
    # Confirmed calls their consultant's hours or time off no longer cover.
    conflicts: tuple[Conflict, ...]
    # None when the user may not read the email log.
    failed_emails: int | None
    failed_recent: tuple[OutboundEmail, ...]
    # Connected calendars not read for too long: everyone's for those who see everyone,
    # else the consultant's own.
    stale_calendars: tuple[StaleCalendar, ...] = ()


def _week_start(now: datetime) -> datetime:
    monday = week_monday(timezone.localtime(now).date())
    return timezone.make_aware(datetime.combine(monday, time.min))


def verdict_bars(counts: dict[str, int]) -> tuple[VerdictBar, ...]:
    """One bar per stack, in a fixed order, scaled to the largest count."""
    track = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    largest = max(counts.values(), default=0)
    bars = []
    for row, (key, label) in enumerate(PATH_LABELS.items()):
        count = counts.get(key, 0)
        width = round(track * count / largest) if largest else 0
        y = row * CHART_ROW + (CHART_ROW - CHART_BAR) // 2
        bars.append(
            VerdictBar(
                key=key,
                label=label,
                count=count,
                y=y,
                # A visible sliver for any non-zero count, however small.
                width=max(width, 2) if count else 0,
                text_y=y + CHART_BAR - 4,
                value_x=CHART_LABEL_WIDTH + track + 8,
            )
        )
    return tuple(bars)


def dashboard_get(
    *, user: AbstractBaseUser | AnonymousUser, now: datetime | None = None
) -> Dashboard:
    now = now or timezone.now()
    this_start = _week_start(now)
    last_start = this_start - timedelta(days=7)
    next_start = this_start + timedelta(days=7)
    this, last = Q(submitted_at__gte=this_start), Q(submitted_at__lt=this_start)

    submissions = (
        Assessment.objects.filter(
            status=Assessment.Status.SUBMITTED,
            submitted_at__gte=last_start,
            submitted_at__lt=next_start,
        )
        .annotate(booked=assessment_booked())
        .aggregate(
            this=Count("pk", filter=this),
            last=Count("pk", filter=last),
            this_converted=Count("pk", filter=this & Q(booked=True)),
            last_converted=Count("pk", filter=last & Q(booked=True)),
        )
    )
    bookings = Booking.objects.filter(
        created_at__gte=last_start, created_at__lt=next_start
    ).aggregate(
        this=Count("pk", filter=Q(created_at__gte=this_start)),
        last=Count("pk", filter=Q(created_at__lt=this_start)),
    )

    verdicts_since = this_start - timedelta(weeks=VERDICT_WEEKS - 1)
    counts = dict(
        Recommendation.objects.filter(
            assessment__status=Assessment.Status.SUBMITTED,
            assessment__submitted_at__gte=verdicts_since,
        )
        .values("stack")
        .annotate(total=Count("pk"))
        .values_list("stack", "total")
    )

    consultant = Consultant.objects.filter(user_id=user.pk).first()
    upcoming: tuple[Booking, ...] = ()
    if consultant is not None:
        upcoming = tuple(
            Booking.objects.filter(
                consultant=consultant, status=BookingStatus.CONFIRMED, end__gt=now
            ).order_by("start")[:UPCOMING_LIMIT]
        )
        for booking in upcoming:
            # Shown in their zone; saves a query per row.
            booking.consultant = consultant

    everyone = staff_sees_everyone(user)
    team_upcoming: tuple[Booking, ...] = ()
    if everyone:
        team_upcoming = tuple(
            Booking.objects.filter(status=BookingStatus.CONFIRMED, end__gt=now)
            .select_related("consultant")
            .order_by("start")[:TEAM_UPCOMING_LIMIT]
        )

    awaiting = Booking.objects.filter(status=BookingStatus.AWAITING_OUTCOME)
    if not everyone:
        awaiting = (
            awaiting.filter(consultant=consultant) if consultant else awaiting.none()
        )
    awaiting_recent = tuple(
        awaiting.select_related("consultant").order_by("-start")[: AWAITING_LIMIT + 1]
    )
    # Counted only when the list is longer than it shows: one query, usually.
    awaiting_count = (
        awaiting.count()
        if len(awaiting_recent) > AWAITING_LIMIT
        else len(awaiting_recent)
    )

    conflicts: tuple[Conflict, ...] = ()
    if everyone or consultant is not None:
        conflicts = tuple(
            bookings_in_conflict(
                consultant_ids=None if everyone else [consultant.pk], now=now
            )
        )

    failed_emails = None
    failed_recent: tuple[OutboundEmail, ...] = ()
    if user.has_perm("consult.view_outboundemail"):
        Status = OutboundEmail.Status  # noqa: N806 -- the model's own enum
        failed = (
            OutboundEmail.objects.filter(
                emails_theirs(user),
                # A bounce is as final as a failure: the client never got it.
                status__in=(Status.FAILED, Status.BOUNCED),
            )
            # Settled once the same email about the same row went again (to a
            # corrected address, say); and nothing is left to do for a client who
            # deleted their data.
            .exclude(
                Exists(
                    OutboundEmail.objects.filter(
                        related_model=OuterRef("related_model"),
                        related_id=OuterRef("related_id"),
                        kind=OuterRef("kind"),
                        created_at__gt=OuterRef("created_at"),
                        status__in=(Status.QUEUED, Status.SENDING, Status.SENT),
                    )
                    .exclude(related_model="")
                    # A client's email goes to one address, so a later one to another
                    # is the corrected address; a forward goes to many colleagues,
                    # and only one sent again to the same address settles its bounce.
                    .filter(~Q(kind__in=FANNED_OUT_KINDS) | Q(to=OuterRef("to")))
                )
            )
            .exclude(subject=ERASED_SUBJECT)
        )
        failed_emails = failed.count()
        if failed_emails:
            failed_recent = tuple(
                failed.only("kind", "to", "status", "created_at", "last_error")[
                    :FAILED_EMAIL_LIMIT
                ]
            )

    stale: tuple[StaleCalendar, ...] = ()
    if staff_sees_everyone(user):
        stale = tuple(calendars_stale(now=now))
    elif consultant is not None:
        stale = tuple(calendars_stale(now=now, consultant_id=consultant.pk))

    return Dashboard(
        week_start=this_start.date(),
        this_week=WeekFigures(
            submissions=submissions["this"],
            bookings=bookings["this"],
            converted=submissions["this_converted"],
        ),
        last_week=WeekFigures(
            submissions=submissions["last"],
            bookings=bookings["last"],
            converted=submissions["last_converted"],
        ),
        verdicts=verdict_bars(counts),
        verdicts_since=verdicts_since.date(),
        verdict_weeks=VERDICT_WEEKS,
        verdict_total=sum(counts.values()),
        chart_width=CHART_WIDTH,
        chart_height=CHART_ROW * len(PATH_LABELS),
        chart_track=CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH,
        chart_bar_x=CHART_LABEL_WIDTH,
        consultant=consultant,
        upcoming=upcoming,
        sees_everyone=everyone,
        team_upcoming=team_upcoming,
        awaiting_outcome=awaiting_count,
        awaiting_recent=awaiting_recent[:AWAITING_LIMIT],
        conflicts=conflicts,
        failed_emails=failed_emails,
        failed_recent=failed_recent,
        stale_calendars=stale,
    )
