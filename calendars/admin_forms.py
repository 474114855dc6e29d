"""The calendars admin's forms: the secret parts are typed in, never shown back."""

from __future__ import annotations

from django import forms

from calendars import services
from calendars.models import CalendarFeed
from consult.outbound import UnsafeURL


class CalendarFeedForm(forms.ModelForm):
    url = forms.CharField(
        label="Calendar address",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 80}),
        help_text=(
            "The calendar's secret ICS address (Google: Settings, your calendar, "
            "Secret address in iCal format; Outlook: Published calendar's ICS link; "
            "Apple: a public calendar's webcal:// link). Stored encrypted and never "
            "shown again: leave empty to keep the current one."
        ),
    )

    class Meta:
        model = CalendarFeed
        fields = ["consultant", "name", "url", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if not url:
            if self.instance.pk is None:
                raise forms.ValidationError("Give the calendar's address.")
            return ""
        try:
            return services.feed_url_check(url)
        except UnsafeURL as exc:
            raise forms.ValidationError(str(exc)) from exc
