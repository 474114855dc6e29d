"""The client's "delete my data" pages, reached from their private links.

Each asks first (GET) and erases on the POST, so a mail scanner opening the link
deletes nothing.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from advisor.selectors import assessment_by_token
from bookings.selectors import booking_get_by_token
from consult.http import SAME_ORIGIN, private_response
from consult.ratelimit import ratelimit
from privacy.services import assessment_erase, booking_erase


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    # The confirmation's form POSTs back here: same-origin keeps CSRF's Origin check.
    return private_response(
        render(request, template, context), referrer_policy=SAME_ORIGIN
    )


@require_http_methods(["GET", "POST"])
@ratelimit(scope="assess-delete", per_ip="20/h")
def assessment_erase_page(request: HttpRequest, token: str) -> HttpResponse:
    """Let the client delete their assessment (and bookings made from it)."""
    assessment = assessment_by_token(token)
    if request.method == "POST":
        assessment_erase(assessment=assessment)
        return _page(
            request,
            "privacy/erased.html",
            {
                "done": "Your assessment, its answers, its result and its PDF are deleted."
            },
        )
    back = "result" if assessment.is_submitted else "about"
    return _page(
        request,
        "privacy/erase_confirm.html",
        {
            "what": "We will delete this assessment and everything in it.",
            "consequences": [
                "Your answers, the recommendation and the PDF summary are deleted.",
                "A consultation you booked from this result is cancelled, and the consultant is told.",
                "Our copies of the emails we sent you are erased.",
            ],
            "action": reverse("privacy:assessment_erase", kwargs={"token": token}),
            "back_url": reverse(f"advisor:{back}", kwargs={"token": token}),
        },
    )


@require_http_methods(["GET", "POST"])
@ratelimit(scope="manage", per_ip="30/h")
def booking_erase_page(request: HttpRequest, token: str) -> HttpResponse:
    """Let the client delete their details; a consultation still to come is cancelled."""
    booking = booking_get_by_token(token)
    if booking is None:
        raise Http404("No booking has this link.")
    if request.method == "POST":
        booking_erase(booking=booking)
        return _page(
            request,
            "privacy/erased.html",
            {"done": "Your details are deleted from this booking."},
        )
    return _page(
        request,
        "privacy/erase_confirm.html",
        {
            "what": "We will delete your name, email, company and what you wanted to discuss.",
            "consequences": [
                "If the consultation is still to come, it is cancelled and the consultant is told.",
                "Our copies of the emails we sent you about it are erased.",
                "This link, and every other link to this booking, stops working.",
            ],
            "action": reverse("privacy:booking_erase", kwargs={"token": token}),
            "back_url": reverse("bookings:manage", kwargs={"token": token}),
        },
    )
