"""The load: one locust phase per page, ``/ping`` around each, the server's CPU sampled.

``bench/locust_journey.py`` runs the users; this module plans its phases and each
user's fixtures, starts it, reads gunicorn's and PostgreSQL's CPU time at every phase's
measured window, and turns the responses into figures per phase.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.http_seed import MAX_USE_CASES, details_path
from bench.http_stack import ROOT, VENV_BIN, process_stop

USERS = int(os.environ.get("BENCH_HTTP_USERS", "12"))
PHASE_SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "6"))
PING_SECONDS = 3.5
# Comma-separated locust actions (see PAGES) to load only those pages.
ONLY = {a for a in os.environ.get("BENCH_HTTP_ONLY", "").split(",") if a}
# The first part of each phase is not counted: workers that have not served
# this page yet compile its templates, and the previous page's last requests
# drain.
WARMUP_SECONDS = 1.5
SLOTS_RATIO = 0.25
LOCUST_LIMIT_SECONDS = 400
LOCUST_LEAD_SECONDS = 8

# (name, locust action, expected status, target ratio to /ping or None). Every page's
# ratio is reported; the wizard's has no target of its own (0.4 was withdrawn as
# unanchored: no peer, limit or user's need sets it).
PAGES = (
    ("landing", "landing", 200, None),
    ("wizard start GET", "start_get", 200, None),
    ("wizard start POST", "start_post", 303, None),
    ("wizard about GET", "about_get", 200, None),
    ("wizard about POST", "about_post", 303, None),
    ("wizard organisation GET", "organisation_get", 200, None),
    ("wizard organisation POST", "organisation_post", 303, None),
    ("wizard use case form GET", "use_case_new_get", 200, None),
    ("wizard use case POST", "use_case_new_post", 303, None),
    ("wizard use cases GET", "use_cases_get", 200, None),
    ("wizard use cases POST", "use_cases_post", 303, None),
    ("wizard check GET", "check_get", 200, None),
    ("wizard submit POST", "submit_post", 303, None),
    ("result GET", "result_get", 200, None),
    ("slot listing GET (20 consultants, 2,000 bookings)", "slots_get", 200, None),
    ("booking form GET", "details_get", 200, None),
    ("booking POST", "book_post", 302, None),
)
TARGETS = {"slots_get": SLOTS_RATIO}


def plan_build(
    tokens: dict, slots: dict[int, list[str]], race: tuple[int, str]
) -> dict:
    # /ping runs before and after every page, and each page is compared with the
    # two around it: other work on a shared machine drifts the server's capacity
    # over minutes, much less within a page and its neighbours.
    phases = [
        # Not reported: each worker's pool opens its connections and each new
        # PostgreSQL backend loads its catalog caches, once per process, a cost
        # that would otherwise land on whichever page comes first.
        {"name": "warm-up", "action": "about_get", "seconds": 4.0},
        {"name": "ping", "action": "ping", "seconds": PING_SECONDS},
    ]
    for name, action, _, _ in PAGES:
        if ONLY and action not in ONLY:
            continue
        phases.append({"name": name, "action": action, "seconds": PHASE_SECONDS})
        phases.append({"name": "ping", "action": "ping", "seconds": PING_SECONDS})
    consultants = sorted(slots)
    users = []
    for number in range(USERS):
        own = [c for i, c in enumerate(consultants) if i % USERS == number]
        mine = [[c, start] for c in own for start in slots[c] if (c, start) != race]
        # Booked latest first (the user pops from the end): the earliest times
        # come within the minimum notice while the run goes on.
        mine.sort(key=lambda pair: pair[1])
        # A free time kept out of the booking phase, so the form shows a slot.
        details_url = details_path(mine.pop()[1], "any")
        users.append(
            {
                "step": tokens["step"][number],
                "step_version": 0,
                "use_case_drafts": tokens["use_case_drafts"][number],
                "submit_drafts": tokens["submit_drafts"][number],
                "result": tokens["result"][number],
                "slots": mine,
                "details_url": details_url,
            }
        )
    return {"phases": phases, "users": users, "max_use_cases": MAX_USE_CASES}


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> tuple[int, int, int]:
    """(parent pid, own CPU ticks, reaped children's CPU ticks) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (
        int(fields[1]),
        int(fields[11]) + int(fields[12]),
        int(fields[13]) + int(fields[14]),
    )


def server_cpu_seconds(master: int, database: str) -> float:
    """CPU time so far of gunicorn (master, workers, recycled workers) and of the
    PostgreSQL backends serving its database: the server side of every request."""
    total = 0
    marker = f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            parent, own, reaped = _cpu_ticks(pid)
            if pid == master:
                total += own + reaped
            elif parent == master or marker in (entry / "cmdline").read_bytes():
                total += own
        except (OSError, ValueError, IndexError):
            continue  # gone between listing and reading
    return total / TICKS


def cpu_sampler(
    plan: dict, master: int, database: str
) -> tuple[threading.Thread, dict]:
    """Reads the server's CPU time at every phase's measured window, in a thread."""
    marks = []
    offset = 0.0
    for index, phase in enumerate(plan["phases"]):
        marks.append((plan["start_at"] + offset + WARMUP_SECONDS, index, "from"))
        marks.append((plan["start_at"] + offset + phase["seconds"], index, "to"))
        offset += phase["seconds"]
    readings: dict = {}

    def sample() -> None:
        for when, index, edge in sorted(marks):
            delay = when - time.time()
            if delay > 0:
                time.sleep(delay)
            readings[index, edge] = server_cpu_seconds(master, database)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    return thread, readings


def load_run(plan: dict, port: int, workdir: Path, cpu: tuple[int, str]) -> dict:
    plan_file = workdir / "plan.json"
    results_file = workdir / "results.json"
    # Time for locust to start and its users to fetch their CSRF cookies.
    plan["start_at"] = time.time() + LOCUST_LEAD_SECONDS
    plan_file.write_text(json.dumps(plan))
    sampler, readings = cpu_sampler(plan, *cpu)
    seconds = sum(phase["seconds"] for phase in plan["phases"]) + LOCUST_LEAD_SECONDS
    log = workdir / "locust.log"
    with log.open("w") as output:
        locust = subprocess.Popen(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locust_journey.py"),
                "--headless",
                "--host",
                f"http://127.0.0.1:{port}",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{int(seconds) + 30}s",
                "--stop-timeout",
                "10",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "BENCH_HTTP_PLAN": str(plan_file),
                "BENCH_HTTP_RESULTS": str(results_file),
            },
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        locust.wait(timeout=min(LOCUST_LIMIT_SECONDS, seconds + 90))
    except subprocess.TimeoutExpired:
        process_stop(locust)
        sys.exit(f"locust did not finish:\n{log.read_text()[-3000:]}")
    if not results_file.exists():
        sys.exit(f"locust wrote no results:\n{log.read_text()[-3000:]}")
    sampler.join(5)
    results = json.loads(results_file.read_text())
    results["cpu"] = [
        readings.get((index, "to"), 0.0) - readings.get((index, "from"), 0.0)
        for index in range(len(plan["phases"]))
    ]
    return results


def phase_figures(results: dict, plan: dict) -> list[dict]:
    rows = []
    for index, phase in enumerate(plan["phases"]):
        every = [sample for sample in results["samples"] if sample[0] == index]
        counted = [s for s in every if WARMUP_SECONDS <= s[1] <= phase["seconds"]]
        rows.append(
            {
                "action": phase["action"],
                "cpu_ms": 1000 * results["cpu"][index] / max(1, len(counted)),
                "rps": len(counted) / (phase["seconds"] - WARMUP_SECONDS),
                "times": sorted(sample[3] for sample in counted),
                "errors_5xx": sum(1 for s in every if s[2] >= 500 or s[2] == 0),
                "unexpected": sum(1 for s in every if not s[4]),
            }
        )
    return rows
