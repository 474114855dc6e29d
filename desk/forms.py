"""The assessment page's forms: its review, and booking a call for its client.

The review form holds its status (and, for managers, who has it).

The status the page was opened with travels with the form, so a change someone else
saved meanwhile is reported beside the field rather than silently overwritten.
"""

from __future__ import annotations

from django import forms

from advisor.models import Assessment
from bookings.models import Consultant
from consult.zone_names import MAX_QUERY_LENGTH, zone_lookup


class AssessmentReviewForm(forms.ModelForm):
    review_status_was = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Assessment
        fields = ("review_status", "assigned_to")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_status_was"].initial = self.instance.review_status

    def clean(self) -> dict:
        cleaned = super().clean()
        # Still the stored status: the form writes to the instance after clean().
        stored = self.instance.review_status
        was = cleaned.get("review_status_was") or stored
        wanted = cleaned.get("review_status")
        if wanted and stored not in {was, wanted}:
            label = Assessment.Review(stored).label
            self.add_error(
                "review_status",
                f"Someone changed the status to “{label}” since you opened this page "
                "(see the notes below). Choose the status again.",
            )
            data = self.data.copy()
            data["review_status_was"] = stored
            self.data = data
        return cleaned


class BookForClientForm(forms.Form):
    """Whose week to show and the client's time zone, before a time is picked."""

    consultant = forms.ModelChoiceField(
        queryset=Consultant.objects.filter(is_active=True).order_by("display_name"),
        label="Consultant",
        error_messages={
            "required": "Choose the consultant.",
            "invalid_choice": "Choose one of the consultants listed.",
        },
    )
    tz = forms.CharField(
        label="The client's time zone",
        max_length=MAX_QUERY_LENGTH,
        help_text="A city, a country or a zone name, like Berlin or America/New_York.",
        error_messages={"required": "Give the client's time zone."},
    )

    def clean_tz(self) -> str:
        found = zone_lookup(self.cleaned_data["tz"])
        if found.zone is not None:
            return found.zone
        if found.choices:
            names = "; ".join(choice.name for choice in found.choices[:6])
            lead = (
                f"{found.place} has more than one clock"
                if found.ambiguous
                else "No time zone goes by that name"
            )
            raise forms.ValidationError(f"{lead}. Did you mean: {names}?")
        raise forms.ValidationError("No time zone goes by that name.")
