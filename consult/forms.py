"""Form pieces shared by the public forms."""

from django import forms
from django.core.exceptions import ValidationError

HONEYPOT_MESSAGE = "This form could not be accepted. Please leave the last field empty."


class HoneypotMixin(forms.Form):
    """A field people never see and simple bots fill in.

    Rendered off-screen by ``includes/honeypot.html``; a filled one rejects the
    form with a message (a person who somehow filled it learns what to do).
    """

    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self) -> str:
        value = self.cleaned_data.get("website", "")
        if value:
            raise ValidationError(HONEYPOT_MESSAGE, code="honeypot")
        return value


class EmailLinkForm(HoneypotMixin, forms.Form):
    """ "I lost my link": the address to send fresh private links to."""

    email = forms.EmailField(
        # As long as the addresses we store, so nobody is told a link is on
        # its way to an address we could never have saved.
        max_length=254,
        error_messages={"required": "Enter your email address."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def __init__(self, *args, label: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = label


class LinksForm(forms.Form):
    """A POST of a links page: revoke one link, or every other private link; with
    ``share``, make a read-only share link too."""

    REVOKE = "revoke"
    REVOKE_OTHERS = "revoke_others"
    SHARE = "share"

    action = forms.ChoiceField(
        choices=[(REVOKE, "Revoke this link"), (REVOKE_OTHERS, "Revoke the others")]
    )
    link = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, share: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if share:
            self.fields["action"].choices = [
                *self.fields["action"].choices,
                (self.SHARE, "Make a read-only link"),
            ]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("action") == self.REVOKE and cleaned.get("link") is None:
            raise ValidationError("Choose the link to revoke.", code="required")
        return cleaned
