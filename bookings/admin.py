from __future__ import annotations

import itertools
from collections import defaultdict
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from bookings import selectors, services
from bookings.forms import format_start, parse_start
from bookings.models import (
    MIDNIGHT,
    Booking,
    BookingPolicy,
    BookingStatus,
    CancelledBy,
    Consultant,
    DateOverride,
    Expertise,
    TimeOff,
    Weekday,
    WeeklyHours,
)

if TYPE_CHECKING:
    from datetime import time

    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse


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
            if not data or data.get("DELETE") or not data.get("start"):
                continue
            if data.get("end") is None:
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


@admin.register(Consultant)
class ConsultantAdmin(admin.ModelAdmin):
    form = ConsultantAdminForm
    list_display = ("display_name", "timezone", "expertise_list", "is_active")
    list_filter = ("is_active",)
    search_fields = ("display_name", "user__username", "user__email")
    inlines = (WeeklyHoursInline, DateOverrideInline, TimeOffInline)

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
        return (("upcoming", "Upcoming"), ("past", "Past"), ("all", "All"))

    def choices(self, changelist):
        # "Upcoming" is the default, so the plain list shows what needs attention.
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "upcoming") == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value}
                ),
                "display": label,
            }

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value() or "upcoming"
        if value == "upcoming":
            return queryset.filter(end__gt=now).order_by("start")
        if value == "past":
            return queryset.filter(end__lte=now).order_by("-start")
        return queryset


class MoveForm(forms.Form):
    start = forms.ChoiceField(label="New time (consultant's time zone)")

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].choices = choices


def _local(booking: Booking, value) -> str:
    zone = booking.consultant.zone
    return f"{value.astimezone(zone):%a %d %b %Y %H:%M} ({booking.consultant.timezone})"


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = (
        "start_local",
        "consultant",
        "name",
        "company",
        "status",
        "sequence",
    )
    list_filter = (
        WhenFilter,
        "status",
        "consultant",
        ("start", admin.DateFieldListFilter),
    )
    list_select_related = ("consultant",)
    search_fields = ("name", "email", "company")
    actions = ("cancel_bookings",)
    fields = (
        "consultant",
        "start_local",
        "status",
        "move_link",
        "name",
        "email",
        "company",
        "topic",
        "client_timezone",
        "stack",
        "assessment_ref",
        "sequence",
        "uid",
        "consent",
        "consented_at",
        "cancel_reason",
        "cancelled_by",
        "cancelled_at",
        "created_at",
        "updated_at",
    )
    # Times and statuses change only through the services, which check availability.
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        queryset = super().get_queryset(request).select_related("consultant")
        consultant = getattr(request.user, "consultant", None)
        if not request.user.is_superuser and consultant is not None:
            # A consultant sees their own bookings.
            return queryset.filter(consultant=consultant)
        return queryset

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Bookings come from the booking page, which applies every rule.
        return False

    @admin.display(description="start", ordering="start")
    def start_local(self, obj: Booking) -> str:
        return _local(obj, obj.start)

    @admin.display(description="move")
    def move_link(self, obj: Booking) -> str:
        if obj.status != BookingStatus.CONFIRMED:
            return "-"
        url = reverse("admin:bookings_booking_move", args=[obj.pk])
        return format_html('<a class="button" href="{}">Move to another time</a>', url)

    @admin.action(description="Cancel selected bookings", permissions=["change"])
    def cancel_bookings(
        self, request: HttpRequest, queryset: QuerySet[Booking]
    ) -> None:
        done = 0
        for booking in queryset:
            result = services.booking_cancel(
                booking=booking, reason="Cancelled by staff", by=CancelledBy.STAFF
            )
            done += result.outcome == services.Outcome.CANCELLED
        self.message_user(
            request,
            f"Cancelled {done} booking(s); {queryset.count() - done} were not active.",
            messages.SUCCESS if done else messages.WARNING,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/move/",
                self.admin_site.admin_view(self.move_view),
                name="bookings_booking_move",
            ),
            *super().get_urls(),
        ]

    def move_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        booking = self.get_object(request, object_id)
        if booking is None or not self.has_change_permission(request, booking):
            raise PermissionDenied
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
                self.message_user(
                    request,
                    f"Moved to {_local(result.booking, result.booking.start)}.",
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
        return TemplateResponse(request, "bookings/admin_move.html", context)
