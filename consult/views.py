from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
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
from consult.enqueue import enqueue
from consult.forms import EmailLinkForm
from consult.http import private_response


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
    task: str,
) -> HttpResponse:
    """A "lost your link?" page: fresh private links by email.

    The answer is the same whether or not the address has anything, so the page
    tells nobody who is a client: not in its words, and not in its timing either.
    Looking the address up and writing the emails is ``task``'s work, handed to a
    worker; the page only queues it, which takes as long for a stranger's address
    as for a client's.
    """
    sent_to = None
    if request.method == "POST":
        form = EmailLinkForm(request.POST, label=label)
        if form.is_valid():
            enqueue(
                task,
                kwargs={"email": form.cleaned_data["email"]},
                kwargsrepr="{'email': '[email]'}",
                about="lost-link request",
                if_lost="not sent; the client can ask again",
            )
            sent_to = form.cleaned_data["email"].lower()
            form = EmailLinkForm(label=label)
    else:
        form = EmailLinkForm(label=label)
    status = 422 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, "sent_to": sent_to}, status=status)


def staff_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in: how long, and whom to ask.

    429, as before; ``AXES_LOCKOUT_CALLABLE`` points here.
    """
    minutes = round(get_cool_off(request).total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    duration = (
        f"{hours} hour{'s' if hours != 1 else ''}"
        if hours and not rest
        else f"{minutes} minute{'s' if minutes != 1 else ''}"
    )
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "duration": duration,
        "staff_contact_email": settings.STAFF_CONTACT_EMAIL,
        "site_title": "Consult admin",
        "site_header": "Consult admin",
    }
    response = render(request, "admin/lockout.html", context, status=429)
    return private_response(response)
