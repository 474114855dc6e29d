"""Locust users for ``bench_http.py``: every user works one page at a time.

Not a benchmark on its own (``bench/run.py`` runs only ``bench_*.py``);
``bench_http.py`` starts it as ``locust -f bench/locust_journey.py --headless``
with two files named in the environment: ``BENCH_HTTP_PLAN`` (the phases and
each user's own fixtures: draft assessments, slots) and ``BENCH_HTTP_RESULTS``
(where every response's status and time is written when the run ends).

The run is a sequence of fixed-length phases, one page each, all users closed
loop (no think time) so the server is saturated on that page alone: a page's
requests per second in its phase is its capacity on this server, comparable
with ``/ping``'s. Each user owns its fixtures (its own drafts, its own
consultants' slots), so no request waits on another user's row locks.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task

PLAN = json.loads(Path(os.environ["BENCH_HTTP_PLAN"]).read_text())
RESULTS = Path(os.environ["BENCH_HTTP_RESULTS"])
PHASES = PLAN["phases"]
ENDS = list(itertools.accumulate(phase["seconds"] for phase in PHASES))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

# One row per response: phase index, seconds into the phase when it ended,
# status (0 for a connection error), milliseconds, whether it was expected.
samples: list[tuple[int, float, int, float, bool]] = []
exhausted: dict[str, int] = {}
_user_numbers = itertools.count()
_quitting = False


def _phase_now() -> tuple[int, float] | None:
    """(phase index, seconds since it began), or None once the plan is done.

    Phases start at the wall-clock ``start_at`` of the plan, which the benchmark
    shares: it reads the server's CPU time at the same boundaries.
    """
    elapsed = time.time() - PLAN["start_at"]
    if elapsed < 0:
        return -1, elapsed
    for index, end in enumerate(ENDS):
        if elapsed < end:
            return index, elapsed - (end - PHASES[index]["seconds"])
    return None


@events.quitting.add_listener
def _write_results(environment, **kwargs) -> None:
    RESULTS.write_text(json.dumps({"samples": samples, "exhausted": exhausted}))


class Journey(FastHttpUser):
    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.number = next(_user_numbers)
        own = PLAN["users"][self.number % len(PLAN["users"])]
        self.step_token = own["step"]
        self.version = own["step_version"]
        self.use_case_drafts = list(own["use_case_drafts"])
        self.use_case_posts = 0
        self.submit_drafts = list(own["submit_drafts"])
        self.result_token = own["result"]
        self.slots = list(own["slots"])
        self.details_url = own["details_url"]
        self.bookings = 0
        # The CSRF cookie, which every POST echoes (as a browser's form would).
        self.client.request("GET", "/assess/", name="setup")
        self.csrf = next(
            (c.value for c in self.client.cookiejar if c.name == "csrftoken"), ""
        )

    def _send(
        self, phase: int, method: str, path: str, expect: int, data: dict | None = None
    ) -> int:
        started = time.perf_counter()
        body = None
        if data is not None:
            body = urlencode({"csrfmiddlewaretoken": self.csrf, **data})
        response = self.client.request(
            method,
            path,
            name=PHASES[phase]["name"],
            data=body,
            headers=FORM if body is not None else None,
            # A 303 is the answer being timed; following it would time two pages.
            allow_redirects=False,
        )
        ms = (time.perf_counter() - started) * 1000
        status = response.status_code or 0
        now = _phase_now()
        ended = (
            now[1]
            if now and now[0] == phase
            else PHASES[phase]["seconds"] + 1  # ended after its phase: not counted
        )
        samples.append((phase, round(ended, 4), status, round(ms, 3), status == expect))
        return status

    def _idle(self, action: str) -> None:
        # This user's fixtures ran out: it stops loading the server for the rest
        # of the phase, and the report says so.
        exhausted[action] = exhausted.get(action, 0) + 1
        time.sleep(0.05)

    @task
    def work(self) -> None:
        global _quitting  # noqa: PLW0603 -- one quit for all users
        now = _phase_now()
        if now is None:
            if not _quitting:
                _quitting = True
                self.environment.runner.quit()
            time.sleep(0.1)
            return
        phase = now[0]
        if phase < 0:
            time.sleep(min(0.05, -now[1]))
            return
        action = PHASES[phase]["action"]
        getattr(self, f"do_{action}")(phase)

    # --- the pages -------------------------------------------------------------------

    def do_ping(self, phase: int) -> None:
        self._send(phase, "GET", "/ping", 200)

    def do_landing(self, phase: int) -> None:
        self._send(phase, "GET", "/", 200)

    def do_start_get(self, phase: int) -> None:
        self._send(phase, "GET", "/assess/", 200)

    def do_start_post(self, phase: int) -> None:
        self._send(phase, "POST", "/assess/", 303, {})

    def do_about_get(self, phase: int) -> None:
        self._send(phase, "GET", f"/assess/{self.step_token}/about/", 200)

    def do_about_post(self, phase: int) -> None:
        status = self._send(
            phase,
            "POST",
            f"/assess/{self.step_token}/about/",
            303,
            {
                "version": self.version,
                "contact_name": f"Load {self.number}",
                "contact_email": f"load{self.number}@example.com",
                "company": "Acme Load",
                "role": "CTO",
                "consent_contact": "on",
                "website": "",
            },
        )
        if status == 303:
            self.version += 1

    def do_organisation_get(self, phase: int) -> None:
        self._send(phase, "GET", f"/assess/{self.step_token}/organisation/", 200)

    def do_organisation_post(self, phase: int) -> None:
        status = self._send(
            phase,
            "POST",
            f"/assess/{self.step_token}/organisation/",
            303,
            {
                "version": self.version,
                "industry": "retail",
                "ml_engineers": 3,
                "data_can_leave": "yes",
            },
        )
        if status == 303:
            self.version += 1

    def do_use_case_new_get(self, phase: int) -> None:
        self._send(phase, "GET", f"/assess/{self.step_token}/use-cases/new/", 200)

    def do_use_case_new_post(self, phase: int) -> None:
        if self.use_case_posts >= PLAN["max_use_cases"]:
            # This draft is full: the next one.
            self.use_case_drafts.pop(0)
            self.use_case_posts = 0
        if not self.use_case_drafts:
            self._idle("use_case_new_post")
            return
        status = self._send(
            phase,
            "POST",
            f"/assess/{self.use_case_drafts[0]}/use-cases/new/",
            303,
            {
                "version": "",
                "name": f"Ticket triage {self.use_case_posts}",
                "task": "text_classification",
                "monthly_requests": 50_000,
                "size": "medium",
                "latency": "interactive",
                "proprietary_data": "some",
                "format_consistency": "flexible",
                "sensitive_data": "no",
                "accuracy_lift_value": "low",
            },
        )
        if status == 303:
            self.use_case_posts += 1

    def do_use_cases_get(self, phase: int) -> None:
        self._send(phase, "GET", f"/assess/{self.step_token}/use-cases/", 200)

    def do_use_cases_post(self, phase: int) -> None:
        self._send(phase, "POST", f"/assess/{self.step_token}/use-cases/", 303, {})

    def do_check_get(self, phase: int) -> None:
        self._send(phase, "GET", f"/assess/{self.step_token}/check/", 200)

    def do_submit_post(self, phase: int) -> None:
        if not self.submit_drafts:
            self._idle("submit_post")
            return
        token = self.submit_drafts.pop()
        self._send(phase, "POST", f"/assess/{token}/check/", 303, {})

    def do_result_get(self, phase: int) -> None:
        self._send(phase, "GET", f"/assess/{self.result_token}/result/", 200)

    def do_slots_get(self, phase: int) -> None:
        self._send(phase, "GET", "/book/?tz=Europe/London", 200)

    def do_details_get(self, phase: int) -> None:
        self._send(phase, "GET", self.details_url, 200)

    def do_book_post(self, phase: int) -> None:
        if not self.slots:
            self._idle("book_post")
            return
        consultant, start = self.slots.pop()
        self.bookings += 1
        self._send(
            phase,
            "POST",
            "/book/details/",
            302,
            {
                "name": f"Load Client {self.number}",
                "email": f"load{self.number}-{self.bookings}@example.com",
                "company": "Acme Load",
                "topic": "Which stack for ticket triage?",
                "timezone": "Europe/London",
                "consent": "on",
                "start": start,
                "consultant": consultant,
                "assessment": "",
                "key": secrets.token_urlsafe(24),
                "website": "",
            },
        )
