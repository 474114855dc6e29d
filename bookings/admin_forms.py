"""The bookings admin's forms: a consultant's profile and hours, a cancellation.

The hours formsets gather the rows saved together and hand them to the rules in
``bookings.hours`` (``weekly_hours_validate``, ``date_overrides_validate``); a row with errors of its
own is reported beside it and left out of those checks.
"""

from __future__ import annotations

from django import forms

from bookings import hours
from bookings.enums import Expertise
from bookings.models import Consultant


def _rows(formset: forms.BaseInlineFormSet, required: tuple[str, ...]):
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        if all(data.get(name) is not None for name in required):
            yield data


class WeeklyHoursFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        hours.weekly_hours_validate(
            hours=[
                (data["weekday"], data["start"], data["end"])
                for data in _rows(self, ("weekday", "start", "end"))
            ]
        )


class DateOverrideFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        hours.date_overrides_validate(
            overrides=[
                (data["date"], data.get("start"), data.get("end"))
                for data in _rows(self, ("date",))
            ]
        )


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


class CancelReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason, sent to the client",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        error_messages={"required": "Give the client a reason."},
    )


class NoShowForm(forms.Form):
    email_client = forms.BooleanField(
        label="Email the client “sorry we missed you”, with a link to book again",
        required=False,
        initial=True,
    )


class HandoverForm(forms.Form):
    """A colleague free at the call's time, and why, for the client and both of them."""

    consultant = forms.TypedChoiceField(
        label="Hand the call to",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Pick the colleague to hand the call to.",
            "invalid_choice": "That colleague is not free at this time any more; "
            "pick another.",
        },
    )
    reason = forms.CharField(
        label="Reason (optional), sent to the client and both consultants",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultant"].choices = choices
