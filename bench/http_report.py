"""The HTTP benchmark's rows: each page's capacity as a ratio to ``/ping``, and its targets.

``/ping`` is measured before and after every page, and each page is compared with the
mean of the two around it, so the table holds on a machine whose speed drifts.
"""

from __future__ import annotations

import statistics
import sys

from bench.http_load import PAGES, TARGETS


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(
        len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1)
    )
    return sorted_values[index]


def latency(times: list[float]) -> dict:
    return {f"p{n}_ms": round(percentile(times, n / 100), 1) for n in (50, 95, 99)}


def ping_row(figures: list[dict], large: dict[str, int]) -> dict:
    """The yardstick: every ``/ping`` phase of the run together."""
    pings = figures[0::2]
    ping_rps = [row["rps"] for row in pings]
    ping_errors = sum(row["errors_5xx"] + row["unexpected"] for row in pings)
    return {
        "name": "http: ping (trivial view), before and after every page",
        "rps": round(statistics.mean(ping_rps)),
        "rps_range": f"{min(ping_rps):.0f}-{max(ping_rps):.0f}",
        "cpu_ms": round(statistics.mean(row["cpu_ms"] for row in pings), 2),
        **latency(sorted(t for row in pings for t in row["times"])),
        "errors_5xx": sum(row["errors_5xx"] for row in pings),
        "queries": large["ping"],
        "target": "no 5xx, no query",
        "ok": ping_errors == 0 and large["ping"] == 0,
    }


def page_rows(
    figures: list[dict],
    *,
    small: dict[str, int],
    large: dict[str, int],
    exhausted: dict[str, int],
) -> list[dict]:
    """One row per page: ``figures`` alternate ``/ping`` and page, ``/ping`` first."""
    pages = {action: (name, target) for name, action, _, target in PAGES}
    rows = []
    for position in range(1, len(figures), 2):
        row = figures[position]
        action = row["action"]
        name, page_target = pages[action]
        around = (figures[position - 1]["rps"] + figures[position + 1]["rps"]) / 2
        ratio = row["rps"] / around if around else 0.0
        ping_cpu = (
            figures[position - 1]["cpu_ms"] + figures[position + 1]["cpu_ms"]
        ) / 2
        target_ratio = TARGETS.get(action, page_target)
        # More data must not mean more queries; fewer is fine (the slot listing
        # reads the rest of the horizon when the week shown has no free time left).
        constant = large[action] <= small[action]
        parts = ["no 5xx", "queries do not grow with the data"]
        if target_ratio:
            parts.insert(0, f"ratio >= {target_ratio:g}")
        line = {
            "name": f"http: {name}",
            "rps": round(row["rps"]),
            "ratio": round(ratio, 2),
            # The server's CPU per request, and the same ratio from it: steadier
            # than requests/s when other work shares the machine.
            "cpu_ms": round(row["cpu_ms"], 2),
            "cpu_ratio": round(ping_cpu / row["cpu_ms"], 2) if row["cpu_ms"] else 0,
            **latency(row["times"]),
            "errors_5xx": row["errors_5xx"],
            "queries": large[action]
            if small[action] == large[action]
            else f"{small[action]} then {large[action]}",
            "target": ", ".join(parts),
            "ok": row["errors_5xx"] == 0
            and row["unexpected"] == 0
            and constant
            and (target_ratio is None or ratio >= target_ratio),
        }
        if row["unexpected"]:
            line["unexpected"] = row["unexpected"]
        if action in exhausted:
            line["fixtures_ran_out"] = True
            line["ok"] = False
        rows.append(line)
    return rows


def sequential_scans_report() -> None:
    """Tables read whole under the load: where an index may be missing (stderr)."""
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, seq_scan, seq_tup_read, idx_scan FROM pg_stat_user_tables"
            " WHERE seq_tup_read > 10000 ORDER BY seq_tup_read DESC"
        )
        rows = cursor.fetchall()
    for name, scans, rows_read, index_scans in rows:
        print(
            f"sequential scans: {name}: {scans} scans read {rows_read} rows "
            f"({index_scans} index scans)",
            file=sys.stderr,
        )
