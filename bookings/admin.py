"""The bookings admin: consultants with their hours, the booking policy, and bookings.

What each list and page shows, and who may do what there. Rows are scoped by
``bookings.admin_scope``; forms are in ``bookings.admin_forms``; the actions in
``bookings.admin_actions``; the admin's own pages (cancel with a reason, move) in
``bookings.admin_views``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from bookings import admin_actions, selectors
from bookings.admin_forms import (
    ConsultantAdminForm,
    DateOverrideFormSet,
    WeeklyHoursFormSet,
)
from bookings.admin_scope import OwnRowsMixin
from bookings.admin_views import (
    changeable,
    conflicts_page,
    consultant_time,
    email_correct_page,
    handover_page,
    move_page,
)
from bookings.conflicts import bookings_in_conflict
from bookings.enums import BookingStatus, CancelledBy
from bookings.meetings import meeting_url
from bookings.models import (
    Booking,
    BookingNote,
    BookingPolicy,
    Consultant,
    DateOverride,
    TimeOff,
    WeeklyHours,
)
from bookings.notes import booking_note_add
from consult.admin_delivery import delivery_problems, delivery_rows
from consult.admin_notes import note_page, note_rows
from consult.staff import staff_sees_everyone, staff_timezone_remember
from consult.timezones import short_label, utc_label, viewer_label

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.utils.safestring import SafeString


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


AVAILABILITY_CHANGE = "bookings.change_weeklyhours"
# What a consultant edits on their own profile.
OWN_PROFILE_FIELDS = ("bio", "timezone", "expertise", "meeting_url")


def _saved_window(form, formsets) -> tuple[datetime | None, datetime | None]:
    """The stretch of time a consultant's save can have put calls in conflict.

    Time off and date overrides added, changed or (for overrides, whose date falls back
    to the weekly hours) removed bound it; new weekly hours or a new zone reach every
    day ahead, and so does a save that changed none of them.
    """
    weekly = [f for f in formsets if f.model is WeeklyHours]
    if "timezone" in form.changed_data or any(f.has_changed() for f in weekly):
        return None, None
    starts: list[datetime] = []
    ends: list[datetime] = []
    zone = form.instance.zone
    for formset in formsets:
        touched = [
            *formset.new_objects,
            *(obj for obj, _ in formset.changed_objects),
        ]
        if formset.model is TimeOff:
            starts += [off.start for off in touched]
            ends += [off.end for off in touched]
        elif formset.model is DateOverride:
            for row in [*touched, *formset.deleted_objects]:
                midnight = datetime.combine(row.date, time(0), tzinfo=zone)
                starts.append(midnight)
                ends.append(midnight + timedelta(days=1))
    if not starts:
        return None, None
    # Whole local days: the daily limit and the buffers weigh a call's neighbours.
    return (
        datetime.combine(min(starts).astimezone(zone).date(), time(0), tzinfo=zone),
        datetime.combine(
            max(ends).astimezone(zone).date() + timedelta(days=1), time(0), tzinfo=zone
        ),
    )


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
        # A consultant changes the parts of their profile that are theirs (meeting
        # link, zone, bio, expertise) and, through the inlines, their own hours.
        return (
            obj is not None
            and request.user.has_perm(AVAILABILITY_CHANGE)
            and self.is_own(request, obj)
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if request.user.has_perm("bookings.change_consultant"):
            return super().get_readonly_fields(request, obj)
        # Who they are and whether they take calls stay the managers' to set.
        return tuple(
            name
            for name in ConsultantAdminForm.Meta.fields
            if name not in OWN_PROFILE_FIELDS
        )

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if obj.user_id == request.user.pk:
            # Their own zone changed: the admin follows at once, not at next sign-in.
            staff_timezone_remember(request, obj.timezone)

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        request.saved_hours_window = _saved_window(form, formsets)

    def response_change(self, request: HttpRequest, obj):
        # Hours saved over confirmed calls: nothing is left silently in conflict. Only
        # the calls of the days the save changed are read; the dashboard shows all.
        since, until = getattr(request, "saved_hours_window", (None, None))
        conflicts = bookings_in_conflict(
            consultant_ids=[obj.pk], since=since, until=until
        )
        if not conflicts:
            return super().response_change(request, obj)
        super().response_change(request, obj)
        self.message_user(
            request,
            f"{len(conflicts)} confirmed call(s) fall outside these hours. They stay "
            "booked until you move or cancel each one.",
            messages.WARNING,
        )
        return redirect(reverse("admin:bookings_consultant_conflicts", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/conflicts/",
                self.admin_site.admin_view(self.conflicts_view),
                name="bookings_consultant_conflicts",
            ),
            *super().get_urls(),
        ]

    def conflicts_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return conflicts_page(self, request, object_id)

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
            super().has_add_permission(request) and not selectors.booking_policy_saved()
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Wider buffers or a lower daily limit can leave calls already booked in
        # conflict; they stay booked, and are said here and on the dashboard.
        limits = {
            "buffer_before_minutes",
            "buffer_after_minutes",
            "max_per_consultant_per_day",
        }
        if limits & set(form.changed_data) and (conflicts := bookings_in_conflict()):
            self.message_user(
                request,
                f"{len(conflicts)} confirmed call(s) no longer meet this policy "
                "(buffers or daily limit). They stay booked: the dashboard lists "
                "each to move, hand over or cancel.",
                messages.WARNING,
            )


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


def _time(booking: Booking, value: datetime) -> SafeString:
    # The consultant's wall-clock time to read, UTC on hover for comparing across zones.
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.astimezone(UTC).isoformat(),
        utc_label(value),
        consultant_time(booking, value),
    )


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
    change_form_template = "admin/bookings/booking/change_form.html"
    list_filter = (
        WhenFilter,
        "status",
        CONSULTANT_FILTER,
        ("start", StartDateFilter),
    )
    list_select_related = ("consultant",)
    search_fields = ("name", "email", "company")
    actions = (
        admin_actions.mark_completed,
        admin_actions.mark_no_show,
        admin_actions.cancel_bookings,
        admin_actions.resend_confirmation,
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
                    "call_link",
                    "move_link",
                    "handover_link",
                ),
            },
        ),
        (
            "Client",
            {
                "classes": ("compact",),
                "fields": ("name", "email", "email_link", "company", "topic"),
            },
        ),
        (
            "Assessment",
            {"classes": ("compact",), "fields": ("assessment_link", "stack")},
        ),
        (
            "Cancellation",
            {
                "classes": ("compact",),
                "fields": ("cancel_reason", "cancelled_by_whom", "cancelled_when"),
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
        if obj is not None and obj.is_active:
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

    def render_change_form(  # noqa: PLR0913, PLR0917 -- Django's signature
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None:
            # "Cancelled by you": the read-only fields see the row, not the request.
            obj.viewer_id = request.user.pk
            context |= self._panels(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _panels(self, request: HttpRequest, booking: Booking) -> dict:
        """The booking's notes and its emails' delivery, below its details."""
        notes = BookingNote.objects.filter(booking=booking).select_related("author")
        can_write = self.has_change_permission(request, booking)
        deliveries = delivery_rows(
            booking, log_links=request.user.has_perm("consult.view_outboundemail")
        )
        return {
            "note_rows": note_rows(
                notes,
                user=request.user,
                edit_url=lambda note: reverse(
                    "admin:bookings_booking_note_edit", args=[booking.pk, note.pk]
                ),
            ),
            "note_add_url": reverse(
                "admin:bookings_booking_note_add", args=[booking.pk]
            )
            if can_write
            else "",
            "delivery_rows": deliveries,
            "problem": delivery_problems(deliveries, [(booking, booking.email)])[0],
            "correct_url": reverse("admin:bookings_booking_email", args=[booking.pk])
            if can_write
            else "",
        }

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

    @admin.display(description="cancelled by")
    def cancelled_by_whom(self, obj: Booking) -> str:
        if obj.cancelled_by == CancelledBy.CLIENT:
            return "The client"
        user = obj.cancelled_by_user
        if user is None:
            return obj.get_cancelled_by_display() or "-"
        if user.pk == getattr(obj, "viewer_id", None):
            return "You"
        return user.get_full_name() or user.get_username()

    @admin.display(description="cancelled at")
    def cancelled_when(self, obj: Booking) -> str:
        return viewer_label(obj.cancelled_at) if obj.cancelled_at else "-"

    @admin.display(description="wrong address")
    def email_link(self, obj: Booking) -> SafeString:
        url = reverse("admin:bookings_booking_email", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}">Correct the address and resend</a>', url
        )

    @admin.display(description="call link")
    def call_link(self, obj: Booking) -> SafeString | str:
        url = meeting_url(obj)
        if not url:
            return "None: send the client a link before the call."
        return format_html(
            '<a href="{}" rel="noreferrer" target="_blank">{}</a>', url, url
        )

    @admin.display(description="change the time")
    def move_link(self, obj: Booking) -> SafeString | str:
        if not selectors.booking_can_move(obj, now=timezone.now()):
            return "-"
        url = reverse("admin:bookings_booking_move", args=[obj.pk])
        return format_html('<a class="button" href="{}">Move to another time</a>', url)

    @admin.display(description="who takes the call")
    def handover_link(self, obj: Booking) -> SafeString | str:
        if not selectors.booking_can_move(obj, now=timezone.now()):
            return "-"
        url = reverse("admin:bookings_booking_handover", args=[obj.pk])
        return format_html('<a class="button" href="{}">Hand to a colleague</a>', url)

    # --- the move page ---------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/move/",
                self.admin_site.admin_view(self.move_view),
                name="bookings_booking_move",
            ),
            path(
                "<path:object_id>/hand-over/",
                self.admin_site.admin_view(self.handover_view),
                name="bookings_booking_handover",
            ),
            path(
                "<path:object_id>/email/",
                self.admin_site.admin_view(self.email_correct_view),
                name="bookings_booking_email",
            ),
            path(
                "<path:object_id>/notes/add/",
                self.admin_site.admin_view(self.note_add_view),
                name="bookings_booking_note_add",
            ),
            path(
                "<path:object_id>/notes/<str:note_id>/edit/",
                self.admin_site.admin_view(self.note_edit_view),
                name="bookings_booking_note_edit",
            ),
            *super().get_urls(),
        ]

    def move_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return move_page(self, request, object_id)

    def handover_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return handover_page(self, request, object_id)

    def email_correct_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return email_correct_page(self, request, object_id)

    def note_add_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        booking = changeable(self, request, object_id)
        return note_page(
            self,
            request,
            owner=booking,
            back_url=reverse("admin:bookings_booking_change", args=[booking.pk]),
            add=lambda text: booking_note_add(
                booking=booking, author=request.user, text=text
            ),
        )

    def note_edit_view(
        self, request: HttpRequest, object_id: str, note_id: str
    ) -> HttpResponse:
        booking = self.get_object(request, object_id)
        if booking is None or not note_id.isdecimal():
            raise Http404
        note = BookingNote.objects.filter(pk=int(note_id), booking=booking).first()
        if note is None:
            raise Http404
        return note_page(
            self,
            request,
            owner=booking,
            back_url=reverse("admin:bookings_booking_change", args=[booking.pk]),
            note=note,
        )
