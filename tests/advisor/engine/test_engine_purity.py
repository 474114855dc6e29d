"""The engine is pure Python: no Django, Celery or app import in its source, and it
runs with Django blocked."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE_DIR = Path(__file__).resolve().parents[3] / "advisor" / "engine"


# The floors (docs/architecture.md): the pure cores import no Django, no Celery and
# no app module; within the advisor, only the engine's own modules.
FORBIDDEN_IMPORT = re.compile(
    r"^\s*(?:import|from)\s+"
    r"(?:django|celery|consult|bookings|desk|privacy|advisor(?!\.engine\b))\b",
    re.MULTILINE,
)


def test_engine_source_never_imports_django_celery_or_an_app():
    sources = {path.name: path.read_text() for path in ENGINE_DIR.glob("*.py")}
    importing = sorted(
        name for name, text in sources.items() if FORBIDDEN_IMPORT.search(text)
    )

    # The modules every answer passes through are among those checked.
    assert {
        "__init__.py",
        "contract.py",
        "decision.py",
        "rules.py",
        "options.py",
    } <= set(sources)
    assert importing == []


@pytest.mark.parametrize(
    ("line", "forbidden"),
    [
        ("from django.db import models", True),
        ("    import celery", True),
        ("from advisor.models import PriceBook", True),
        ("from advisor import services", True),
        ("from consult.timezones import clock_label", True),
        ("from advisor.engine import options as opt", False),
        ("from advisor.engine.result import Reason", False),
        ("import math", False),
    ],
)
def test_forbidden_import_pattern_tells_the_floors_apart(line, forbidden):
    assert bool(FORBIDDEN_IMPORT.search(line)) is forbidden


def test_engine_imports_and_runs_with_django_blocked():
    # A None entry in sys.modules makes any "import django" fail.
    script = (
        "import sys; sys.modules['django'] = None\n"
        "from advisor.engine import decide, validate\n"
        "result = decide(validate({'organization': {'regulations': ['gdpr']}, "
        "'use_cases': [{'name': 'x', 'task': 'summarization', 'monthly_requests': 1}, "
        "{'name': 'y', 'task': 'fraud_detection', 'monthly_requests': 1}]})).to_dict()\n"
        "print(result['stack'], result['engine_version'])\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ENGINE_DIR.parents[1],
        capture_output=True,
        text=True,
        check=False,
    )

    assert (completed.returncode, completed.stdout, completed.stderr) == (
        0,
        "hybrid 2026.2\n",
        "",
    )
