"""The assessment page's review form: its status (and, for managers, who has it).

The status the page was opened with travels with the form, so a change someone else
saved meanwhile is reported beside the field rather than silently overwritten.
"""

from __future__ import annotations

from django import forms

from advisor.models import Assessment


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
