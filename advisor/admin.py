"""The price books the engine costs with.

The assessments' admin, the consultants' prep sheet, shows the calls booked from
each assessment too, so it lives above both apps, in ``desk/admin.py``.
"""

from __future__ import annotations

from django.contrib import admin, messages

from advisor.models import PriceBook
from advisor.selectors import price_book_used
from advisor.services import price_book_activate


@admin.register(PriceBook)
class PriceBookAdmin(admin.ModelAdmin):
    list_display = ["name", "as_of", "is_active", "created_at"]
    list_filter = ["is_active"]
    ordering = ["-as_of"]
    actions = ["activate"]
    readonly_fields = ["is_active", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and price_book_used(obj):
            # Results already priced with this book must keep showing the same figures.
            fields += ["name", "as_of", "data"]
        return fields

    @admin.action(
        description="Make the selected price book the active one",
        permissions=["change"],
    )
    def activate(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one price book.", messages.ERROR)
            return
        book = queryset.get()
        price_book_activate(book=book)
        self.log_change(request, book, "Made the active price book.")
        self.message_user(
            request, f"{book} is now active; earlier results keep the prices they used."
        )
