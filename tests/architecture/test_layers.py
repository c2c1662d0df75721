"""The house's rules that a machine can check: one-way layers (import-linter), no import inside a function that
crosses an app, modules of a readable size, functions of a readable complexity.

import-linter's contracts are in `.importlinter`; `.ci/run` runs `lint-imports` too, so a broken layer fails CI
even if this file is skipped.
"""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "athletes", "sessions", "progression", "web", "fhirapi", "rehab")
MAX_MODULE_LINES = 420


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield app, path


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def test_lint_imports_keeps_every_contract():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout


def test_no_function_level_import_crosses_an_app():
    """An import inside a function that reaches another app hides a dependency (or a cycle): imports go at the top."""
    found = []
    for app, path in _app_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    names = [inner.module]
                elif isinstance(inner, ast.Import):
                    names = [alias.name for alias in inner.names]
                else:
                    continue
                for name in names:
                    if _top(name) in APPS and _top(name) != app:
                        found.append(f"{path.relative_to(ROOT)}:{inner.lineno} imports {name} inside {node.name}()")
    assert not found, "move these imports to the top of their module:\n" + "\n".join(found)


def test_no_module_is_too_long_to_read():
    long = [f"{path.relative_to(ROOT)}: {n} lines" for _, path in _app_modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, f"split these modules (over {MAX_MODULE_LINES} lines):\n" + "\n".join(long)


@pytest.mark.parametrize("target", [*APPS, "benchmarks"])
def test_functions_stay_simple(target):
    """ruff's mccabe check at max-complexity 10 (C901), on app code, the engine and the benchmarks."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "C901", "--no-cache",
                             "--config", "lint.mccabe.max-complexity = 10", target],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:]
