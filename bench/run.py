"""Run every benchmark in bench/ and print one table.

Each ``bench/bench_*.py`` is a script that prints JSON lines, one per
measurement, each with ``name``, ``target`` and ``ok``; the other keys are its
figures. Run with ``make bench`` (PostgreSQL and Redis from DATABASE_URL and
CELERY_BROKER_URL, as in README).
"""

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SKIP_KEYS = {"name", "target", "ok", "python", "samples"}
TIMEOUT = 420


def run(script: Path) -> list[dict]:
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [
            {
                "name": script.stem,
                "target": "",
                "ok": False,
                "error": f"timed out after {TIMEOUT} s",
            }
        ]
    rows = []
    for raw in result.stdout.splitlines():
        line = raw.strip()
        if line.startswith("{"):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    if result.returncode != 0 or not rows:
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        rows.append(
            {"name": script.stem, "target": "", "ok": False, "error": tail[:120]}
        )
    for row in rows:
        row["seconds"] = round(time.monotonic() - started, 1)
    return rows


def figures(row: dict) -> str:
    return ", ".join(
        f"{key} {value}"
        for key, value in row.items()
        if key not in SKIP_KEYS | {"seconds"}
    )


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    only = sys.argv[1:]
    if only:
        scripts = [s for s in scripts if any(word in s.stem for word in only)]
    rows = []
    for script in scripts:
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        rows += run(script)

    print(
        f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}\n"
    )
    print("| benchmark | result | target | ok |")
    print("|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['name']} | {figures(row)} | {row.get('target', '')} | {'yes' if row.get('ok') else 'NO'} |"
        )
    return 0 if all(row.get("ok") for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
