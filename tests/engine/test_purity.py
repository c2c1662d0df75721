"""The engine is pure: importing it loads no Django and none of the project's apps."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENGINE = REPO / "progression" / "engine"

CHECK = (
    "import sys, json, progression.engine as e;"
    "e.evaluate(e.load_default_protocol(), phase=1, history=[], today=__import__('datetime').date(2026, 1, 1));"
    "print(json.dumps(sorted(sys.modules)))"
)

FORBIDDEN = ("django", "athletes", "sessions", "rehab", "rest_framework", "celery")


def test_import_loads_no_django_or_apps():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO)
    out = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    import json

    modules = json.loads(out.stdout.strip().splitlines()[-1])
    bad = [m for m in modules if m.split(".")[0] in FORBIDDEN]
    assert bad == [], bad
    assert "progression.engine" in modules
    # progression/__init__.py must stay empty, so nothing else of the package is loaded
    assert [
        m for m in modules if m.startswith("progression.") and not m.startswith("progression.engine")
    ] == []


def test_engine_imports_only_the_standard_library():
    stdlib = set(sys.stdlib_module_names)
    paths = sorted(ENGINE.rglob("*.py"))
    assert ENGINE / "checks" / "base.py" in paths  # the vocabulary's package is checked too
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative import inside the engine
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in stdlib or top == "__future__", f"{path.relative_to(ENGINE)} imports {name}"
