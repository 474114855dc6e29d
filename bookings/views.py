"""Booking pages: pick a time, give details, see the confirmation, manage the booking.

Every page works as plain links and forms; htmx requests get the ``#slots`` partial of the
same template (week navigation and filter changes swap in place). Pages reached through a
private manage token send no Referer and are never cached.

Only pages live here (the week of slots is built in ``weeks.py``, the cached listing in
``listing_cache.py``, the visitor's zone and clock read in ``visitor.py``); at about 600
lines it stays one module because the booking and manage pages share their rendering.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from advisor.selectors import assessment_booking_prefill
from bookings import listing_cache, selectors, services
from bookings.enums import BookingStatus, CancelledBy
from bookings.forms import (
    BookingForm,
    CancelForm,
    RescheduleForm,
    format_start,
    parse_consultant_id,
    parse_start,
)
from bookings.ics import booking_ics, calendar_links
from bookings.meetings import meeting_url
from bookings.tokens import MAX_TOKEN_LENGTH
from bookings.visitor import (
    DEFAULT_TZ,
    clock_remember,
    timezone_datalist,
    visitor_zone,
    zone_choice_links,
)
from bookings.weeks import slot_view, week_page
from consult.forms import LinksForm
from consult.http import NO_REFERRER, SAME_ORIGIN, private_response, query_string
from consult.ratelimit import ratelimit
from consult.timezones import Times, clock_choice, zone_or_none
from consult.views import email_links_page

if TYPE_CHECKING:
    from collections.abc import Sequence
    from zoneinfo import ZoneInfo

    from bookings.availability import Slot
    from bookings.models import Booking

# How many free times a page offers instead of a taken one.
ALTERNATIVES = services.ALTERNATIVES


def assessment_prefill(token: str) -> dict | None:
    """What the client's assessment tells the booking form, or None.

    The booking pages' one read of an assessment (through ``advisor.selectors``):
    ``name, email, company, topic, stack, assessment_id`` of a submitted assessment
    behind this link.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return assessment_booking_prefill(token)


def _zone_from(value: str | None, fallback: str) -> tuple[ZoneInfo, str, str]:
    """(zone, its name, an error about ``value``) with ``fallback`` for a bad value."""
    value = (value or "").strip()
    if value:
        zone = zone_or_none(value)
        if zone is not None:
            return zone, value, ""
        error = (
            f"We don't recognise the time zone “{value[:64]}”, "
            f"so times are shown in {fallback}."
        )
        return zone_or_none(fallback), fallback, error
    return zone_or_none(fallback), fallback, ""


def _wants_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _render_page(  # noqa: PLR0913 -- keyword-only options
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    partial: str = "",
    status: int = 200,
    private: str = "",
) -> HttpResponse:
    name = f"{template}#{partial}" if partial and _wants_partial(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    if private:
        private_response(response, referrer_policy=private)
    return response


# --- /book/ ---------------------------------------------------------------------------


@require_safe
# Reading the page can compute free slots over the horizon (once per availability
# version; the cache serves the rest): bounded per address like the POSTs.
@ratelimit(scope="book-page", reads_per_ip="600/h")
def book(request: HttpRequest) -> HttpResponse:
    visitor = visitor_zone(request, request.GET.get("tz"))
    clock = clock_choice(request)
    all_times = request.GET.get("times") == "all"
    raw_consultant = request.GET.get("consultant", "")
    try:
        requested_week = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        requested_week = None
    assessment = request.GET.get("assessment", "")[:100]
    listing = listing_cache.listing_get(
        zone=visitor.zone,
        tz_name=visitor.tz_name,
        requested_week=requested_week,
        raw_consultant=raw_consultant,
        assessment=assessment,
        hour12=clock.hour12,
        all_times=all_times,
        clock=clock.chosen,
    )

    def choice_url(name: str) -> str:
        return reverse("bookings:book") + query_string(
            consultant=listing["consultant_value"],
            tz=name,
            times="all" if all_times else "",
            clock=clock.chosen,
            assessment=assessment,
        )

    context = {
        **listing,
        "visitor": visitor,
        "tz_name": visitor.tz_name,
        "tz_value": visitor.value,
        "zone_choices": zone_choice_links(visitor.choices, choice_url),
        "timezone_datalist": timezone_datalist(),
        "assessment": assessment,
        "all_times": all_times,
        "clock_chosen": clock.chosen,
    }
    # With ?assessment= the address carries the client's private link.
    response = _render_page(
        request,
        "bookings/book.html",
        context,
        partial="slots",
        private=NO_REFERRER if assessment else "",
    )
    clock_remember(request, response)
    return response


# --- /book/details/ -------------------------------------------------------------------


def _slot_summary(
    start: datetime,
    minutes: int,
    zone: ZoneInfo,
    tz_name: str,
    *,
    hour12: bool = False,
) -> str:
    # Written as the booking's own pages and emails will write it.
    times = Times(zone, tz_name, hour12)
    return times.zoned(times.when(start, start + timedelta(minutes=minutes)), start)


def _details_zone(*candidates: str | None) -> tuple[ZoneInfo, str]:
    """The first valid zone of ``candidates``, else the default.

    The zone the time was picked in comes first: a typo in the form's zone field must
    not move the time shown to UTC while the visitor corrects it.
    """
    for candidate in candidates:
        value = (candidate or "").strip()[:64]
        zone = zone_or_none(value) if value else None
        if zone is not None:
            return zone, value
    return zone_or_none(DEFAULT_TZ), DEFAULT_TZ


def _details_page(  # noqa: PLR0913 -- keyword-only options
    request: HttpRequest,
    form: BookingForm,
    *,
    prefill: dict | None,
    alternatives: Sequence[Slot] | None = None,
    taken: bool = False,
    status: int = 200,
) -> HttpResponse:
    zone, tz_name = _details_zone(
        form["tz"].value(), form["timezone"].value(), request.GET.get("tz")
    )
    start = parse_start(form["start"].value())
    # Once the chosen time is taken, the times offered instead are radio buttons named
    # ``start``: submitted with none ticked, the same nearest times are offered again.
    wanted = start or parse_start(form.data.get("wanted"))
    consultant_value = str(form["consultant"].value() or "any")
    check = selectors.start_check(
        start=wanted or timezone.now(),
        # Anything but a primary key (a tampered form) means anyone, as on the listing.
        consultant_id=parse_consultant_id(consultant_value),
        # Whatever start the address names, only the time around it is read: the
        # start itself and, if it is taken, the nearest free times to offer instead.
        nearest=ALTERNATIVES,
        # A refused booking brings its alternatives: nothing more to check.
        read=alternatives is None and wanted is not None,
    )
    consultant = check.consultant
    assessment_token = form["assessment"].value() or ""
    hour12 = clock_choice(request).hour12
    if wanted is None:
        # Only a tampered form gets here: offer the week view instead.
        alternatives = []
    elif alternatives is None and not check.free:
        alternatives = check.alternatives
    elif alternatives is None and start is None:
        # Submitted without a time ticked, the wanted one free again: offer it and
        # its neighbours.
        alternatives = selectors.slots_near(
            target=wanted, consultant_id=consultant.pk if consultant else None
        )

    def alternative_url(value: str) -> str:
        return reverse("bookings:details") + query_string(
            start=value,
            consultant=consultant_value,
            tz=tz_name,
            assessment=assessment_token,
        )

    context = {
        "form": form,
        "summary": (
            _slot_summary(
                start, check.policy.meeting_minutes, zone, tz_name, hour12=hour12
            )
            if start
            else ""
        ),
        "consultant": consultant,
        "alternatives": (
            None
            if alternatives is None
            else [
                slot_view(s, zone, tz_name, alternative_url, hour12=hour12)
                for s in alternatives
            ]
        ),
        "taken": taken,
        "wanted": format_start(wanted) if wanted else "",
        "change_url": reverse("bookings:book")
        + query_string(
            consultant=consultant_value, tz=tz_name, assessment=assessment_token
        ),
        "timezone_datalist": timezone_datalist(),
        "prefilled": bool(prefill),
    }
    return _render_page(
        request, "bookings/details.html", context, status=status, private=SAME_ORIGIN
    )


def _details_initial(
    request: HttpRequest, start: datetime, assessment_token: str, prefill: dict | None
) -> dict:
    initial = {
        "start": format_start(start),
        "consultant": request.GET.get("consultant", "any"),
        # Left empty without a zone, for the browser to fill in.
        "timezone": (request.GET.get("tz") or "").strip()[:64],
        "tz": (request.GET.get("tz") or "").strip()[:64],
        "assessment": assessment_token,
        "key": secrets.token_urlsafe(32),
    }
    for field in ("name", "email", "company", "topic"):
        if prefill and prefill.get(field):
            initial[field] = str(prefill[field])
    return initial


def _book(data: dict, prefill: dict | None, *, hour12: bool) -> services.BookingResult:
    consultant = None
    if data["consultant"] is not None:
        consultant = selectors.consultant_active_get(data["consultant"])
        if consultant is None:
            # The chosen consultant stopped taking bookings since the page was shown.
            return services.BookingResult(services.Outcome.SLOT_TAKEN)
    assessment = None
    if prefill:
        assessment = services.AssessmentLink(
            reference=str(prefill.get("assessment_id", ""))[:64],
            stack=str(prefill.get("stack", ""))[:20],
        )
    return services.booking_create(
        start=data["start"],
        consultant=consultant,
        name=data["name"],
        email=data["email"],
        company=data["company"],
        topic=data["topic"],
        client_timezone=data["timezone"],
        hour12=hour12,
        consent=data["consent"],
        manage_link_in_calendar=data["manage_link_in_calendar"],
        assessment=assessment,
        idempotency_key=data["key"],
    )


@require_http_methods(["GET", "POST"])
@ratelimit(scope="booking", per_ip="10/h", per_email="5/h", reads_per_ip="300/h")
def details(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    assessment_token = source.get("assessment", "")[:100]
    prefill = assessment_prefill(assessment_token) if assessment_token else None

    if request.method == "GET":
        start = parse_start(request.GET.get("start"))
        if start is None:
            params = {k: v for k, v in request.GET.items() if k != "start"}
            # The address may carry the client's assessment link.
            return private_response(
                redirect(reverse("bookings:book") + query_string(**params))
            )
        form = BookingForm(
            initial=_details_initial(request, start, assessment_token, prefill)
        )
        return _details_page(request, form, prefill=prefill)

    form = BookingForm(request.POST)
    if not form.is_valid():
        return _details_page(request, form, prefill=prefill, status=422)
    result = _book(form.cleaned_data, prefill, hour12=clock_choice(request).hour12)
    if result.ok and (
        result.outcome == services.Outcome.CREATED
        or selectors.booking_get_by_token(result.manage_token) is not None
    ):
        return private_response(
            redirect("bookings:confirmed", token=result.manage_token)
        )
    if result.ok:
        # The form was sent again after the client revoked the link it made: the
        # booking stands, but that link no longer opens it.
        form.add_error(
            None,
            "You have booked this consultation already, and the link it made has "
            "since been revoked. To reschedule or cancel it, use “Get a new link to "
            "your booking” on the booking page.",
        )
        return _details_page(request, form, prefill=prefill, status=409)
    if result.outcome == services.Outcome.EMAIL_HAS_BOOKING:
        form.add_error(
            "email",
            "There's already an upcoming consultation booked with this email address "
            "(we count name+anything@ as name@). To change it, use the private link "
            "from your booking confirmation.",
        )
        return _details_page(request, form, prefill=prefill, status=409)
    if result.outcome == services.Outcome.BUSY:
        form.add_error(
            None,
            "Many people are booking right now and we couldn't finish yours in time. "
            "Nothing has been booked and your details are kept: please press "
            "“Book this time” again.",
        )
        response = _details_page(request, form, prefill=prefill, status=503)
        response["Retry-After"] = "2"
        return response
    return _details_page(
        request,
        form,
        prefill=prefill,
        alternatives=result.alternatives,
        taken=True,
        status=409,
    )


# --- private pages: confirmation and manage ----------------------------------------------


def _booking_or_404(token: str) -> Booking:
    booking = selectors.booking_get_by_token(token)
    if booking is None:
        raise Http404("No booking has this link.")
    return booking


def _booking_clock(request: HttpRequest, booking: Booking) -> bool:
    # The clock the client booked on, unless they have chosen one since.
    return clock_choice(request, booked=booking.hour12).hour12


def _booking_context(
    booking: Booking, token: str, tz_param: str | None, *, hour12: bool = False
) -> dict:
    zone, tz_name, _ = _zone_from(tz_param, booking.client_timezone)
    times = Times(zone, tz_name, hour12)
    now = timezone.now()
    is_confirmed = booking.status == BookingStatus.CONFIRMED
    # A call marked completed or no-show before its end is over, whatever the clock says.
    in_progress = is_confirmed and booking.start <= now < booking.end
    return {
        "booking": booking,
        "token": token,
        # The card's time is the page's one that names the zone.
        "when": times.zoned(times.when(booking.start, booking.end), booking.start),
        "tz_name": tz_name,
        "is_confirmed": is_confirmed,
        "is_cancelled": booking.status == BookingStatus.CANCELLED,
        "can_change": selectors.booking_can_move(booking, now=now),
        # A consultant who has stopped taking bookings offers no new times: their
        # calls are handed to a colleague by staff, or cancelled by the client.
        "consultant_gone": not booking.consultant.is_active,
        "in_progress": in_progress,
        "has_passed": booking.start <= now and not in_progress,
        "manage_url": reverse("bookings:manage", kwargs={"token": token}),
        "calendar_links": calendar_links(booking),
        "meeting_url": meeting_url(booking),
    }


@require_safe
def confirmed(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
    context = _booking_context(
        booking, token, request.GET.get("tz"), hour12=_booking_clock(request, booking)
    )
    # Built like the links in emails: from SITE_URL, never from the Host header.
    context["absolute_manage_url"] = settings.SITE_URL + context["manage_url"]
    return _render_page(
        request, "bookings/confirmed.html", context, private=NO_REFERRER
    )


@require_safe
def manage(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
    context = _booking_context(
        booking, token, request.GET.get("tz"), hour12=_booking_clock(request, booking)
    )
    return _render_page(request, "bookings/manage.html", context, private=NO_REFERRER)


@require_safe
def calendar_file(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
    manage_url = settings.SITE_URL + reverse("bookings:manage", kwargs={"token": token})
    # A download is an event to copy into a calendar (PUBLISH), not an invitation.
    response = HttpResponse(
        booking_ics(booking, manage_url=manage_url, publish=True),
        content_type="text/calendar; charset=utf-8; method=PUBLISH",
    )
    response["Content-Disposition"] = 'attachment; filename="consultation.ics"'
    return private_response(response)


@require_http_methods(["GET", "POST"])
@ratelimit(scope="manage", per_ip="30/h")
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.booking_cancel(
            booking=booking, reason=form.cleaned_data["reason"], by=CancelledBy.CLIENT
        )
        texts = {
            services.Outcome.CANCELLED: (
                messages.SUCCESS,
                "Your consultation is cancelled. We hope to talk another time.",
            ),
            services.Outcome.ALREADY_CANCELLED: (
                messages.INFO,
                "This consultation was already cancelled; nothing has changed.",
            ),
            services.Outcome.TOO_LATE: (
                messages.ERROR,
                "This consultation has already started, so it can't be cancelled here.",
            ),
        }
        level, text = texts.get(
            result.outcome,
            (messages.ERROR, "This consultation can no longer be cancelled."),
        )
        messages.add_message(request, level, text)
        return private_response(redirect("bookings:manage", token=token))
    context = _booking_context(
        booking, token, request.GET.get("tz"), hour12=_booking_clock(request, booking)
    )
    context["form"] = form
    return _render_page(request, "bookings/cancel.html", context, private=SAME_ORIGIN)


def _reschedule_answer(
    request: HttpRequest,
    result: services.ChangeResult,
    *,
    token: str,
    times: Times,
) -> HttpResponse | int:
    """A move's answer: a redirect when it is done or can never be, else the status the
    page is shown again with (503 busy, 409 taken)."""
    booking = result.booking
    if result.outcome == services.Outcome.BUSY:
        # Nothing changed; the page is shown again for the same choice.
        messages.error(
            request,
            "Many people are booking right now and we couldn't move your "
            "consultation in time. Nothing has changed: please choose the "
            "time again.",
        )
        return 503
    if result.outcome == services.Outcome.SLOT_TAKEN:
        return 409
    if result.outcome in {services.Outcome.MOVED, services.Outcome.UNCHANGED}:
        messages.success(
            request,
            "Your consultation has moved to "
            f"{times.zoned(times.when(booking.start, booking.end), booking.start)}.",
        )
    elif result.outcome == services.Outcome.TOO_LATE:
        # Possibly still going on: "taken place" would be wrong during the call.
        messages.error(
            request, "This consultation has already started, so it can't be moved."
        )
    else:
        messages.error(
            request,
            "This consultation can't be moved any more: "
            "it has been cancelled or has already taken place.",
        )
    return private_response(redirect("bookings:manage", token=token))


@require_http_methods(["GET", "POST"])
@ratelimit(scope="manage", per_ip="30/h", reads_per_ip="300/h")
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking_or_404(token)
    tz_param = request.POST.get("tz") or request.GET.get("tz")
    visitor = visitor_zone(request, tz_param, fallback=booking.client_timezone)
    zone, tz_name = visitor.zone, visitor.tz_name
    clock = clock_choice(request, booked=booking.hour12)
    all_times = request.GET.get("times") == "all"
    status = 200
    alternatives: Sequence[Slot] = ()
    taken = False
    chosen = None

    if request.method == "POST" and not booking.consultant.is_active:
        status = 409
    elif request.method == "POST":
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            status = 422
        else:
            result = services.booking_reschedule(
                booking=booking, new_start=form.cleaned_data["start"], by_client=True
            )
            booking = result.booking
            answer = _reschedule_answer(
                request, result, token=token, times=Times(zone, tz_name, clock.hour12)
            )
            if isinstance(answer, HttpResponse):
                return answer
            status = answer
            if status == 409:
                taken, alternatives = True, result.alternatives

    context = _booking_context(booking, token, tz_name, hour12=clock.hour12)
    # A client who has travelled since booking can see the times in their zone now.
    context["visitor"] = visitor
    context["tz_value"] = visitor.value
    context["timezone_datalist"] = timezone_datalist()
    if not context["can_change"] or context["consultant_gone"]:
        return _render_page(
            request,
            "bookings/reschedule.html",
            context,
            status=status,
            private=SAME_ORIGIN,
        )

    now = timezone.now()
    base = reverse("bookings:reschedule", kwargs={"token": token})

    def page_url(
        week: date | None = None, *, times: bool = all_times, chosen: str = clock.chosen
    ) -> str:
        return base + query_string(
            tz=tz_name,
            week=week.isoformat() if week else "",
            times="all" if times else "",
            clock=chosen,
        )

    def slot_url(value: str) -> str:
        return base + query_string(
            start=value,
            tz=tz_name,
            times="all" if all_times else "",
            clock=clock.chosen,
        )

    def choice_url(name: str) -> str:
        return base + query_string(
            tz=name, times="all" if all_times else "", clock=clock.chosen
        )

    # Whatever the address asks for, only the week shown and the time around a
    # wanted start are read, never the whole horizon.
    if request.method == "GET" and (wanted := parse_start(request.GET.get("start"))):
        near = selectors.slots_near(target=wanted, moving=booking, now=now)
        if any(slot.start == wanted for slot in near):
            chosen = wanted
        else:
            taken, alternatives = True, near
    try:
        requested: date | None = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        requested = None
    found = selectors.week_opened(
        lambda week: selectors.consultant_week_get(
            consultant=booking.consultant, zone=zone, week=week, moving=booking, now=now
        ),
        requested=requested,
        zone=zone,
    )
    week = week_page(
        week=found.week,
        slots=found.slots,
        next_slot=found.next_slot,
        first_week=found.first_week,
        last_week=found.last_week,
        zone=zone,
        tz_name=tz_name,
        slot_url=slot_url,
        week_url=page_url,
        hour12=clock.hour12,
        all_times=all_times,
    )
    shown = week.days[0].day
    context.update(
        {
            "week": week,
            "toggles": {
                "all_times": page_url(shown, times=True),
                "daytime": page_url(shown, times=False),
                "clock12": page_url(shown, chosen="12"),
                "clock24": page_url(shown, chosen="24"),
            },
            "zone_choices": zone_choice_links(visitor.choices, choice_url),
            "clock_chosen": clock.chosen,
            "taken": taken,
            "alternatives": [
                slot_view(slot, zone, tz_name, slot_url, hour12=clock.hour12)
                for slot in alternatives
            ],
            "chosen": (
                _slot_summary(
                    chosen,
                    found.policy.meeting_minutes,
                    zone,
                    tz_name,
                    hour12=clock.hour12,
                )
                if chosen
                else ""
            ),
            "chosen_value": format_start(chosen) if chosen else "",
            "back_url": page_url(),
        }
    )
    response = _render_page(
        request,
        "bookings/reschedule.html",
        context,
        partial="slots",
        status=status,
        private=SAME_ORIGIN,
    )
    clock_remember(request, response)
    return response


@require_http_methods(["GET", "POST"])
@ratelimit(scope="manage", per_ip="30/h")
def links(request: HttpRequest, token: str) -> HttpResponse:
    """The manage links to this booking: when each was made and last used.

    Reached through any of them; revokes one, or every one but the link in use.
    Never shows a token: only hashes are stored.
    """
    booking = _booking_or_404(token)
    form = LinksForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if form.cleaned_data["action"] == LinksForm.REVOKE_OTHERS:
                count = services.booking_links_revoke_others(
                    booking=booking, used=booking.link
                )
                text = (
                    f"{count} other link{'s' if count != 1 else ''} revoked: only "
                    "this one manages your booking now."
                )
            elif services.booking_link_revoke(
                booking=booking, link_id=form.cleaned_data["link"], used=booking.link
            ):
                text = "The link is revoked: it no longer opens your booking."
            else:
                text = "That link was already revoked, or is the one you are using."
            messages.success(request, text)
            return private_response(redirect("bookings:links", token=token))
        status = 400
    zone, tz_name, _ = _zone_from(request.GET.get("tz"), booking.client_timezone)
    times = Times(zone, tz_name, _booking_clock(request, booking))
    rows = [
        {
            "id": link.pk,
            "origin": link.get_origin_display(),
            "created": times.start(link.created_at),
            "last_used": times.start(link.last_used_at) if link.last_used_at else "",
            "current": link.pk == booking.link.pk,
        }
        for link in selectors.booking_links_active(booking)
    ]
    context = {
        "booking": booking,
        "token": token,
        "rows": rows,
        "others": sum(1 for row in rows if not row["current"]),
        "zone_heading": times.heading(),
        "form": form,
    }
    return _render_page(
        request, "bookings/links.html", context, status=status, private=SAME_ORIGIN
    )


@require_http_methods(["GET", "POST"])
@ratelimit(scope="booking-link", per_ip="10/h", per_email="3/h")
def lost_link(request: HttpRequest) -> HttpResponse:
    """ "I lost my link": the confirmation again, with a new link to manage the booking."""
    return email_links_page(
        request,
        template="bookings/lost_link.html",
        label="The email address you booked with",
        task=services.LINKS_RESEND_TASK,
    )
