from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from bookings import selectors, services
from bookings.enums import (
    ACTIVE_STATUSES,
    BookingStatus,
    CancelledBy,
    Expertise,
    Weekday,
)
from bookings.forms import format_start, parse_start
from bookings.models import (
    MIDNIGHT,
    Booking,
    BookingPolicy,
    Consultant,
    DateOverride,
    TimeOff,
    WeeklyHours,
)
from consult.staff import staff_sees_everyone, staff_timezone_remember
from consult.timezones import short_label

if TYPE_CHECKING:
    from datetime import datetime, time

    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse
    from django.utils.safestring import SafeString


def _minutes(value: time, *, end: bool = False) -> int:
    if end and value == MIDNIGHT:
        return 24 * 60
    return value.hour * 60 + value.minute


def _check_overlaps(ranges_by_key: dict, describe) -> None:
    for key, ranges in ranges_by_key.items():
        ordered = sorted(ranges)
        for (_, earlier_end), (later_start, _) in itertools.pairwise(ordered):
            if later_start < earlier_end:
                raise ValidationError(f"{describe(key)}: two ranges overlap.")


class WeeklyHoursFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        by_day: defaultdict[int, list] = defaultdict(list)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            # A row with its own errors (no weekday, say) is reported beside it.
            if not data or data.get("DELETE") or not data.get("start"):
                continue
            if data.get("end") is None or data.get("weekday") is None:
                continue
            by_day[data["weekday"]].append(
                (_minutes(data["start"]), _minutes(data["end"], end=True))
            )
        _check_overlaps(by_day, lambda day: Weekday(day).label)


class DateOverrideFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        by_date: defaultdict = defaultdict(list)
        days_off = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("date"):
                continue
            if data.get("start") is None:
                days_off.add(data["date"])
            elif data.get("end") is not None:
                by_date[data["date"]].append(
                    (_minutes(data["start"]), _minutes(data["end"], end=True))
                )
        for day in days_off & set(by_date):
            raise ValidationError(
                f"{day}: a day off cannot also have hours. Remove one of them."
            )
        _check_overlaps(by_date, str)


def _consultant_id(user) -> int | None:
    # Asked several times per page (each permission check); read once per request.
    if not hasattr(user, "_consult_consultant_id"):
        user._consult_consultant_id = (  # noqa: SLF001 -- a per-request memo
            Consultant.objects.filter(user_id=user.pk)
            .values_list("pk", flat=True)
            .first()
        )
    return user._consult_consultant_id  # noqa: SLF001


class OwnRowsMixin:
    """Consultants work on their own rows; superusers and Managers on everyone's.

    ``owner_path`` leads from the model to the consultant's user, ``owner_attr`` names the
    row's consultant id. A row outside the user's reach answers 404 by URL, exactly like a
    row that does not exist.
    """

    owner_path = "consultant__user"
    owner_attr = "consultant_id"

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if staff_sees_everyone(request.user):
            return queryset
        return queryset.filter(**{self.owner_path: request.user})

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not staff_sees_everyone(request.user):
            raise Http404
        return obj

    def is_own(self, request: HttpRequest, obj) -> bool:
        if staff_sees_everyone(request.user):
            return True
        mine = _consultant_id(request.user)
        return mine is not None and getattr(obj, self.owner_attr) == mine

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.is_own(request, obj))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.is_own(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.is_own(request, obj))


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    formset = WeeklyHoursFormSet
    extra = 0


class DateOverrideInline(admin.TabularInline):
    model = DateOverride
    formset = DateOverrideFormSet
    extra = 0
    verbose_name_plural = (
        "date overrides (replace the weekly hours on a date; no times = day off)"
    )


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    verbose_name_plural = "time off (times in UTC)"


class ConsultantAdminForm(forms.ModelForm):
    expertise = forms.MultipleChoiceField(
        choices=Expertise.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Consultant
        fields = (
            "user",
            "display_name",
            "bio",
            "timezone",
            "expertise",
            "meeting_url",
            "is_active",
        )


AVAILABILITY_CHANGE = "bookings.change_weeklyhours"


@admin.register(Consultant)
class ConsultantAdmin(OwnRowsMixin, admin.ModelAdmin):
    form = ConsultantAdminForm
    owner_path = "user"
    owner_attr = "pk"
    list_display = ("display_name", "timezone", "expertise_list", "is_active")
    list_filter = ("is_active",)
    search_fields = ("display_name", "user__username", "user__email")
    inlines = (WeeklyHoursInline, DateOverrideInline, TimeOffInline)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if super().has_change_permission(request, obj):
            return True
        # A consultant may not edit their profile, but saving this page is how they
        # change their own hours, overrides and time off (the inlines).
        return (
            obj is not None
            and request.user.has_perm(AVAILABILITY_CHANGE)
            and self.is_own(request, obj)
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if request.user.has_perm("bookings.change_consultant"):
            return super().get_readonly_fields(request, obj)
        return (*ConsultantAdminForm.Meta.fields, "expertise_list")

    def get_fields(self, request: HttpRequest, obj=None):
        if request.user.has_perm("bookings.change_consultant"):
            return super().get_fields(request, obj)
        # The profile, read-only: expertise as words rather than stored codes.
        return [
            "expertise_list" if name == "expertise" else name
            for name in ConsultantAdminForm.Meta.fields
        ]

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if obj.user_id == request.user.pk:
            # Their own zone changed: the admin follows at once, not at next sign-in.
            staff_timezone_remember(request, obj.timezone)

    def get_inline_instances(self, request: HttpRequest, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if isinstance(inline, TimeOffInline):
                # Typed and shown in the viewer's zone (the consultant's own, in the admin).
                zone = timezone.get_current_timezone_name()
                inline.verbose_name_plural = f"time off (times in {zone})"
        return inlines

    @admin.display(description="expertise")
    def expertise_list(self, obj: Consultant) -> str:
        return ", ".join(label for _, label in obj.expertise_choices())


@admin.register(BookingPolicy)
class BookingPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "meeting_minutes",
        "slot_interval_minutes",
        "minimum_notice_minutes",
        "horizon_days",
        "max_per_consultant_per_day",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return (
            super().has_add_permission(request) and not BookingPolicy.objects.exists()
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class WhenFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return (("upcoming", "Upcoming"), ("past", "Past"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(end__gt=now)
        if self.value() == "past":
            return queryset.filter(end__lte=now)
        return queryset


class StartDateFilter(admin.FieldListFilter):
    """A from/to date range on the start, with a few ready-made ranges.

    Dates are the viewer's: the consultant's own zone in the admin (see
    ``consult.middleware.StaffTimezoneMiddleware``), else the site's.
    """

    template = "admin/bookings/booking/date_range_filter.html"

    def __init__(  # noqa: PLR0913, PLR0917 -- Django's signature for list filters
        self, field, request, params, model, model_admin, field_path
    ):
        self.since_name = f"{field_path}__date__gte"
        self.until_name = f"{field_path}__date__lte"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = f"date ({timezone.get_current_timezone_name()})"
        # An empty box in the form means "no bound", not an invalid date.
        self.used_parameters = {
            name: values for name, values in self.used_parameters.items() if any(values)
        }

    def expected_parameters(self) -> list[str]:
        return [self.since_name, self.until_name]

    def _value(self, name: str) -> str:
        values = self.used_parameters.get(name) or [""]
        return values[-1]

    def choices(self, changelist):
        today = timezone.localdate()
        ranges = (
            ("Today", today, today),
            ("Next 7 days", today, today + timedelta(days=6)),
            ("Last 7 days", today - timedelta(days=6), today),
        )
        since, until = self._value(self.since_name), self._value(self.until_name)
        keep = {
            name: value
            for name, value in changelist.params.items()
            if name not in {self.since_name, self.until_name}
        }
        yield {
            "form": True,
            "since_name": self.since_name,
            "until_name": self.until_name,
            "since": since,
            "until": until,
            "keep": sorted(keep.items()),
            "clear": changelist.get_query_string(
                remove=[self.since_name, self.until_name]
            ),
            "selected": bool(since or until),
        }
        for label, first, last in ranges:
            yield {
                "display": label,
                "selected": (since, until) == (first.isoformat(), last.isoformat()),
                "query_string": changelist.get_query_string(
                    {
                        self.since_name: first.isoformat(),
                        self.until_name: last.isoformat(),
                    }
                ),
            }


class MoveForm(forms.Form):
    start = forms.ChoiceField(label="New time (consultant's time zone)")

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].choices = choices


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason, sent to the client",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "Give the client a reason."},
    )


def _local(booking: Booking, value: datetime) -> str:
    return short_label(value, booking.consultant.zone, booking.consultant.timezone)


def _time(booking: Booking, value: datetime) -> SafeString:
    # The consultant's wall-clock time to read, UTC on hover for comparing across zones.
    return format_html(
        '<time datetime="{}" title="{} UTC">{}</time>',
        value.astimezone(UTC).isoformat(),
        f"{value.astimezone(UTC):%Y-%m-%d %H:%M}",
        _local(booking, value),
    )


BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]
CONSULTANT_FILTER = ("consultant", admin.RelatedOnlyFieldListFilter)


@admin.register(Booking)
class BookingAdmin(OwnRowsMixin, admin.ModelAdmin):
    list_display = (
        "when",
        "consultant",
        "client",
        "status",
        "assessment_link",
    )
    list_display_links = ("when",)
    list_filter = (
        WhenFilter,
        "status",
        CONSULTANT_FILTER,
        ("start", StartDateFilter),
    )
    list_select_related = ("consultant",)
    search_fields = ("name", "email", "company")
    actions = (
        "mark_completed",
        "mark_no_show",
        "cancel_bookings",
        "resend_confirmation",
    )
    fieldsets = (
        (
            "Meeting",
            {
                "classes": ("compact",),
                "fields": (
                    "consultant",
                    "when",
                    "client_time",
                    "status",
                    "move_link",
                ),
            },
        ),
        (
            "Client",
            {"classes": ("compact",), "fields": ("name", "email", "company", "topic")},
        ),
        (
            "Assessment",
            {"classes": ("compact",), "fields": ("assessment_link", "stack")},
        ),
        (
            "Cancellation",
            {
                "classes": ("compact",),
                "fields": ("cancel_reason", "cancelled_by", "cancelled_at"),
            },
        ),
        (
            "Record",
            {
                "classes": ("compact", "collapse"),
                "fields": (
                    "uid",
                    "sequence",
                    "consent",
                    "consented_at",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
    )
    # Times and statuses change only through the services, which check availability
    # and write the emails.
    readonly_fields = tuple(
        field for _, options in fieldsets for field in options["fields"]
    )

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is not None and obj.status == BookingStatus.CANCELLED:
            return self.fieldsets
        return tuple(f for f in self.fieldsets if f[0] != "Cancellation")

    def get_list_display(self, request: HttpRequest):
        if staff_sees_everyone(request.user):
            return self.list_display
        return tuple(name for name in self.list_display if name != "consultant")

    def get_list_filter(self, request: HttpRequest):
        if staff_sees_everyone(request.user):
            return self.list_filter
        # A consultant sees only their own bookings: a consultant filter would be noise.
        return tuple(f for f in self.list_filter if f != CONSULTANT_FILTER)

    def get_ordering(self, request: HttpRequest):
        # Upcoming calls first, soonest at the top; then past ones, latest first.
        now = timezone.now()
        past = Case(
            When(end__lte=now, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        upcoming_start = Case(When(end__gt=now, then=F("start")), default=None)
        return [past.asc(), upcoming_start.asc(nulls_last=True), F("start").desc()]

    def get_actions(
        self,
        request: HttpRequest,
        action_location: admin.ActionLocation = admin.ActionLocation.CHANGE_LIST,
    ):
        actions = super().get_actions(request, action_location)
        # Deleting would drop a meeting without telling the client; cancel instead.
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Bookings come from the booking page, which applies every rule.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.status in ACTIVE_STATUSES:
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing on the page is a form field: changes go through the buttons.
        extra_context = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- columns and fields ----------------------------------------------------------

    @admin.display(description="when (consultant's time)", ordering="start")
    def when(self, obj: Booking) -> SafeString:
        return _time(obj, obj.start)

    @admin.display(description="client's time")
    def client_time(self, obj: Booking) -> str:
        return short_label(obj.start, obj.client_zone, obj.client_timezone)

    @admin.display(description="client", ordering="name")
    def client(self, obj: Booking) -> SafeString:
        if not obj.company:
            return format_html("{}", obj.name)
        return format_html('{}<br><span class="quiet">{}</span>', obj.name, obj.company)

    @admin.display(description="assessment")
    def assessment_link(self, obj: Booking) -> SafeString | str:
        if obj.assessment_id is None:
            return "-"
        url = reverse("admin:advisor_assessment_change", args=[obj.assessment_id])
        return format_html('<a href="{}">Prep sheet</a>', url)

    @admin.display(description="change the time")
    def move_link(self, obj: Booking) -> SafeString | str:
        if obj.status != BookingStatus.CONFIRMED or obj.start <= timezone.now():
            return "-"
        url = reverse("admin:bookings_booking_move", args=[obj.pk])
        return format_html('<a class="button" href="{}">Move to another time</a>', url)

    # --- actions ---------------------------------------------------------------------

    def _mark(self, request, queryset, *, service, done_label: str) -> None:
        done = skipped = 0
        for booking in queryset:
            if service(booking=booking):
                self.log_change(request, booking, f"Marked {done_label}.")
                done += 1
            else:
                skipped += 1
        if done:
            self.message_user(
                request, f"Marked {done} booking(s) {done_label}.", messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} booking(s) left as they were: only a call that has begun "
                "and was not cancelled can be marked.",
                messages.WARNING,
            )

    @admin.action(
        description="Mark this call completed",
        description_plural="Mark selected calls completed",
        permissions=["change"],
        location=BOTH,
    )
    def mark_completed(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._mark(
            request,
            queryset,
            service=services.booking_mark_completed,
            done_label="completed",
        )

    @admin.action(
        description="Mark this call as a no-show",
        description_plural="Mark selected calls as no-show",
        permissions=["change"],
        location=BOTH,
    )
    def mark_no_show(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._mark(
            request,
            queryset,
            service=services.booking_mark_no_show,
            done_label="no-show",
        )

    @admin.action(
        description="Resend the confirmation to the client",
        description_plural="Resend the confirmation to the selected clients",
        permissions=["change"],
        location=BOTH,
    )
    def resend_confirmation(
        self, request: HttpRequest, queryset: QuerySet[Booking]
    ) -> None:
        now = timezone.now()
        sent = skipped = 0
        for booking in queryset:
            if booking.status != BookingStatus.CONFIRMED or booking.end <= now:
                skipped += 1
                continue
            try:
                services.booking_confirmation_resend(booking=booking)
            except ValidationError:
                # Cancelled or moved on since the page was loaded.
                skipped += 1
                continue
            self.log_change(request, booking, "Resent the confirmation to the client.")
            sent += 1
        if sent:
            self.message_user(
                request,
                f"Confirmation sent again for {sent} booking(s), each with a new "
                "private link (the old one stops working).",
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} booking(s) skipped: only an upcoming confirmed call has a "
                "confirmation to resend.",
                messages.WARNING,
            )

    @admin.action(
        description="Cancel this booking…",
        description_plural="Cancel selected bookings…",
        permissions=["change"],
        location=BOTH,
    )
    def cancel_bookings(
        self, request: HttpRequest, queryset: QuerySet[Booking]
    ) -> HttpResponse | None:
        form = CancelForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            self._cancel(request, list(queryset), reason=form.cleaned_data["reason"])
            return None
        # The page posts the same action again (from the list or the booking's own
        # page), now with the reason.
        hidden = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in {"csrfmiddlewaretoken", "confirm", "reason"}
            for value in values
        ]
        bookings = list(queryset)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Cancel bookings"
            if len(bookings) != 1
            else f"Cancel {bookings[0]}",
            "form": form,
            "rows": [
                (booking, _local(booking, booking.start), booking.is_active)
                for booking in bookings
            ],
            "active": sum(booking.is_active for booking in bookings),
            "hidden": hidden,
            "back_url": request.get_full_path(),
        }
        return TemplateResponse(request, "admin/bookings/booking/cancel.html", context)

    def _cancel(self, request: HttpRequest, bookings: list[Booking], *, reason: str):
        now = timezone.now()
        done = emailed = 0
        for booking in bookings:
            result = services.booking_cancel(
                booking=booking, reason=reason, by=CancelledBy.STAFF, now=now
            )
            if result.outcome == services.Outcome.CANCELLED:
                self.log_change(request, booking, f"Cancelled: {reason}")
                done += 1
                # The service emails only about calls still ahead.
                emailed += result.booking.end > now
        if done:
            told = f"; {emailed} client(s) told by email" if emailed else ""
            self.message_user(
                request, f"Cancelled {done} booking(s){told}.", messages.SUCCESS
            )
        if skipped := len(bookings) - done:
            self.message_user(
                request,
                f"{skipped} booking(s) were not active and stay as they were.",
                messages.WARNING,
            )

    # --- pages of their own ----------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/move/",
                self.admin_site.admin_view(self.move_view),
                name="bookings_booking_move",
            ),
            *super().get_urls(),
        ]

    def _changeable(self, request: HttpRequest, object_id: str) -> Booking:
        booking = self.get_object(request, object_id)
        if booking is None:
            raise Http404
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        return booking

    def move_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        booking = self._changeable(request, object_id)
        change_url = reverse("admin:bookings_booking_change", args=[booking.pk])
        found = selectors.availability_get(
            consultant_id=booking.consultant_id, exclude_booking_id=booking.pk
        )
        choices = [
            (format_start(slot.start), _local(booking, slot.start))
            for slot in found.slots
            if slot.start != booking.start
        ]
        form = MoveForm(request.POST or None, choices=choices)
        if request.method == "POST" and form.is_valid():
            result = services.booking_reschedule(
                booking=booking, new_start=parse_start(form.cleaned_data["start"])
            )
            if result.outcome == services.Outcome.MOVED:
                moved_to = _local(result.booking, result.booking.start)
                self.log_change(request, result.booking, f"Moved to {moved_to}.")
                self.message_user(
                    request,
                    f"Moved to {moved_to}; the client is told by email.",
                    messages.SUCCESS,
                )
                return redirect(change_url)
            self.message_user(
                request,
                f"Not moved ({result.outcome.replace('_', ' ')}). Pick another time.",
                messages.ERROR,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": booking,
            "title": f"Move {booking}",
            "form": form,
            "current": _local(booking, booking.start),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/bookings/booking/move.html", context)
