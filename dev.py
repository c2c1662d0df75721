#!/usr/bin/env python3
"""The project's two commands, for a fresh machine that has only Python 3.11.

    python3.11 dev.py run     create .venv if missing, install, migrate, load the demo data, serve, print the URL
    python3.11 dev.py test    install what the tests need and run the whole suite (extra arguments go to pytest)

Standard library only: this file runs before anything is installed.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
LOCK = ROOT / "requirements.lock"


def say(message: str) -> None:
    print(f"\033[1;32m==>\033[0m {message}", flush=True)


def run(*args, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def ensure_python() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Python 3.11 is needed (this is {sys.version.split()[0]}). Run: python3.11 dev.py ...")


def ensure_venv(extras: str) -> None:
    """Create .venv and install the locked dependencies; skip the install when nothing changed."""
    if not PY.exists():
        say("Creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes() + extras.encode()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists():
        return
    say(f"Installing dependencies{' (with test tools)' if extras else ''}")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", LOCK, "-e", f".{extras}")
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def cmd_run(argv: list[str]) -> None:
    ensure_python()
    ensure_venv("")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "rehab.settings.local")}
    say("Migrating the database")
    run(PY, "manage.py", "migrate", "--noinput", env=env, stdout=subprocess.DEVNULL)
    say("Loading the demo data")
    run(PY, "manage.py", "load_demo", env=env)
    port = os.environ.get("PORT", "8000")
    url = f"http://127.0.0.1:{port}/"
    say(f"Serving on {url}  (Ctrl+C to stop)")
    print(f"\n    Open {url} and log in with one of the demo logins above.\n", flush=True)
    os.execve(str(PY), [str(PY), "manage.py", "runserver", f"127.0.0.1:{port}", *argv], env)


def cmd_test(argv: list[str]) -> None:
    ensure_python()
    ensure_venv("[test]")
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        say("Chromium not found: the browser tests will be skipped (install Debian's 'chromium' to run them)")
    say("Running the test suite")
    result = subprocess.run([str(PY), "-m", "pytest", *argv], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"run": cmd_run, "test": cmd_test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
