"""The engine is pure Python: no Django import in its source, and it runs with
Django blocked."""

import re
import subprocess
import sys
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parents[3] / "advisor" / "engine"


def test_engine_source_never_imports_django():
    importing = [
        path.name
        for path in ENGINE_DIR.glob("*.py")
        if re.search(r"^\s*(import|from)\s+django\b", path.read_text(), re.MULTILINE)
    ]

    assert (sorted(path.name for path in ENGINE_DIR.glob("*.py")), importing) == (
        [
            "__init__.py",
            "advice.py",
            "contract.py",
            "costs.py",
            "decision.py",
            "prices.py",
            "result.py",
            "rules.py",
            "text.py",
        ],
        [],
    )


def test_engine_imports_and_runs_with_django_blocked():
    # A None entry in sys.modules makes any "import django" fail.
    script = (
        "import sys; sys.modules['django'] = None\n"
        "from advisor.engine import decide, validate\n"
        "result = decide(validate({'use_cases': [{'name': 'x', "
        "'task': 'summarization', 'monthly_requests': 1}]})).to_dict()\n"
        "print(result['stack'])\n"
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
        "api\n",
        "",
    )
