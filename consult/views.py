from collections.abc import Callable

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from consult import health
from consult.forms import EmailLinkForm


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "consult/landing.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    found = health.statuses()
    status = health.overall(found)
    return JsonResponse(
        {"status": status, **found}, status=503 if status == "unavailable" else 200
    )


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    # The load test's yardstick: the whole middleware stack and nothing else (no
    # database, no template), so each page's throughput is read as a ratio to it.
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed static name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def email_links_page(
    request: HttpRequest,
    *,
    template: str,
    label: str,
    send: Callable[[str], object],
) -> HttpResponse:
    """A "lost your link?" page: fresh private links by email.

    The answer is the same whether or not the address has anything, so the page
    tells nobody who is a client. ``send`` gets the address as typed.
    """
    sent_to = None
    if request.method == "POST":
        form = EmailLinkForm(request.POST, label=label)
        if form.is_valid():
            send(form.cleaned_data["email"])
            sent_to = form.cleaned_data["email"].lower()
            form = EmailLinkForm(label=label)
    else:
        form = EmailLinkForm(label=label)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, "sent_to": sent_to}, status=status)
