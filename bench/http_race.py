"""The booking race: many clients book one consultant's one slot at the same instant.

Each client fetches the booking form (its own CSRF cookie and form key), waits at a
barrier and posts; exactly one booking must come of it, every other client must get
"just taken" with alternatives, and nobody a server error.
"""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlencode

from bench.http_seed import details_path
from bench.http_stack import http_request

RACE_CLIENTS = 50


def booking_race(port: int, consultant: int, start: str) -> dict:
    """50 clients, each with its own form and CSRF cookie, book one slot at once."""
    barrier = threading.Barrier(RACE_CLIENTS, timeout=60)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        try:
            status, cookies, page = http_request(
                port, "GET", details_path(start, consultant)
            )
            key = re.search(r'name="key" value="([^"]+)"', page)
            csrf = cookies.get("csrftoken", "")
            body = urlencode(
                {
                    "csrfmiddlewaretoken": csrf,
                    "name": f"Racer {number}",
                    "email": f"racer{number}@example.com",
                    "timezone": "Europe/London",
                    "consent": "on",
                    "start": start,
                    "consultant": consultant,
                    "key": key.group(1) if key else "",
                }
            )
            barrier.wait()
            status, _, page = http_request(
                port, "POST", "/book/details/", body=body, cookie=f"csrftoken={csrf}"
            )
        except (OSError, threading.BrokenBarrierError) as exc:
            status, page = 0, repr(exc)
        with lock:
            answers.append((status, page))

    threads = [
        threading.Thread(target=client, args=(n,), daemon=True)
        for n in range(RACE_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))

    from bookings.enums import BookingStatus  # noqa: PLC0415
    from bookings.forms import parse_start  # noqa: PLC0415
    from bookings.models import Booking  # noqa: PLC0415

    booked_rows = Booking.objects.filter(
        consultant_id=consultant,
        start=parse_start(start),
        status=BookingStatus.CONFIRMED,
    ).count()
    created = sum(1 for status, _ in answers if status == 302)
    just_taken = sum(
        1
        for status, page in answers
        if status == 409
        and "someone booked that time a moment ago" in page
        and 'name="start" value="' in page
    )
    errors = sum(1 for status, _ in answers if status >= 500 or status == 0)
    return {
        "name": f"http: booking race, {RACE_CLIENTS} clients, one slot",
        "booked": created,
        "booking_rows": booked_rows,
        "just_taken_409": just_taken,
        "other": len(answers) - created - just_taken,
        "errors_5xx": errors,
        "target": f"1 booking, {RACE_CLIENTS - 1} x 409 with alternatives, no 5xx",
        "ok": created == 1
        and booked_rows == 1
        and just_taken == RACE_CLIENTS - 1
        and errors == 0,
    }
