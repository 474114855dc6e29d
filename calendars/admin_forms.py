"""The calendars admin's forms: the secret parts are typed in, never shown back."""

from __future__ import annotations

from django import forms

from calendars import services
from calendars.models import CalDAVAccount, CalendarFeed
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


class CalDAVAccountForm(forms.ModelForm):
    password = forms.CharField(
        label="App password",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=(
            "An app-specific password (iCloud: appleid.apple.com, Sign-In and Security, "
            "App-Specific Passwords; Fastmail: Settings, Privacy & Security, App "
            "passwords), not your account password. Stored encrypted and never shown "
            "again: leave empty to keep the current one."
        ),
    )
    read_calendars = forms.CharField(
        label="Calendars to read",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=(
            "One calendar address a line, from the calendars found below after the "
            "first read; empty reads them all."
        ),
    )

    class Meta:
        model = CalDAVAccount
        fields = [
            "consultant",
            "name",
            "server_url",
            "username",
            "password",
            "read_calendars",
            "write_calendar_url",
            "is_active",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["read_calendars"] = "\n".join(self.instance.read_calendars)

    def clean_server_url(self) -> str:
        try:
            return services.account_url_check(self.cleaned_data["server_url"])
        except UnsafeURL as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not password and self.instance.pk is None:
            raise forms.ValidationError("Give the app password.")
        return password

    def clean_read_calendars(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data["read_calendars"].splitlines()
            if line.strip()
        ]
