#!/usr/bin/env python3
"""The project's two commands, for a fresh machine that has only Python 3.11.

    python3.11 dev.py run     create .venv if missing, install, migrate, load the demo data, serve, print the URL;
                              the periodic work (rehab/celery.py's beat schedule) runs beside the server
    python3.11 dev.py test    install what the tests need and run the whole suite (extra arguments go to pytest)

Standard library only: this file runs before anything is installed.
"""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
LOCK = ROOT / "requirements.lock"
#: The beat scheduler's state (when each periodic task last ran). Kept out of git (.gitignore).
SCHEDULE = ROOT / "celerybeat-schedule"
TRUTHY = {"1", "true", "yes", "on", "y", "t"}


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


def run_env(environ, port: str) -> dict:
    """The environment of the embedded mode: local settings, and emails that link to the port the server runs on
    (SITE_URL), unless the environment already says otherwise."""
    env = {**environ, "DJANGO_SETTINGS_MODULE": environ.get("DJANGO_SETTINGS_MODULE", "rehab.settings.local")}
    if not env.get("SITE_URL"):
        env["SITE_URL"] = f"http://127.0.0.1:{port}/"
    return env


def tasks_run_eagerly(env) -> bool:
    """The same rule as rehab/settings/base.py: eager unless a broker is configured (or it is said explicitly)."""
    if env.get("CELERY_TASK_ALWAYS_EAGER"):
        return env["CELERY_TASK_ALWAYS_EAGER"].strip().lower() in TRUTHY
    return not (env.get("REDIS_URL") or env.get("CELERY_BROKER_URL"))


def scheduler_command(env, schedule: Path = SCHEDULE, app: str = "rehab", python: Path = PY) -> list[str]:
    """The process that runs the beat schedule beside the server.

    Embedded (no broker): `celery beat` alone. Celery tasks are eager there (CELERY_TASK_ALWAYS_EAGER): beat's
    Scheduler.apply_async calls task.apply_async, which with task_always_eager runs the task at once with
    task.apply, in the beat process; nothing is sent to the in-memory broker, so no worker is needed.
    With a broker (REDIS_URL / CELERY_BROKER_URL): a worker with beat embedded, so the tasks that the pages
    enqueue run too.
    """
    if tasks_run_eagerly(env):
        return [str(python), "-m", "celery", "-A", app, "beat", "--loglevel", "INFO", "--schedule", str(schedule)]
    return [str(python), "-m", "celery", "-A", app, "worker", "--beat", "--loglevel", "INFO", "--concurrency", "2",
            "--schedule", str(schedule)]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if dev.py dies, even by SIGKILL, so nothing is left running."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Children:
    """Child processes started and stopped together. Each runs in its own session (process group), so dev.py
    stops the whole group (runserver's autoreloader child included) and a Ctrl+C reaches dev.py alone, which
    then stops every child in order."""

    def __init__(self):
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list, env: dict, **kwargs) -> subprocess.Popen:
        posix = os.name == "posix"
        proc = subprocess.Popen([str(a) for a in args], cwd=ROOT, env=env, start_new_session=posix,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None, **kwargs)
        self.procs[name] = proc
        return proc

    def _signal(self, proc: subprocess.Popen, sig) -> None:
        try:
            if os.name == "posix":
                os.killpg(proc.pid, sig)
            else:
                proc.terminate()
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, grace: float = 8.0) -> None:
        """SIGINT (what Ctrl+C sends: runserver and beat shut down cleanly), then SIGTERM, then SIGKILL."""
        for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 3.0), (getattr(signal, "SIGKILL", signal.SIGTERM), 3.0)):
            running = [p for p in self.procs.values() if p.poll() is None]
            if not running:
                break
            for proc in running:
                self._signal(proc, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and any(p.poll() is None for p in running):
                time.sleep(0.1)
        for proc in self.procs.values():
            if os.name == "posix":
                self._signal(proc, getattr(signal, "SIGKILL", signal.SIGTERM))  # anything left in its group
            proc.poll()


class Stop(Exception):
    pass


def serve(server: list, scheduler: list, env: dict) -> int:
    """Run the server and the scheduler until the server stops, Ctrl+C or SIGTERM; then stop both."""
    def on_signal(signum, frame):
        raise Stop(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    children = Children()
    code = 0
    try:
        server_proc = children.start("server", server, env)
        scheduler_proc = children.start("scheduler", scheduler, env)
        warned = False
        while True:
            code = server_proc.poll()
            if code is not None:
                break
            if scheduler_proc.poll() is not None and not warned:
                say(f"The scheduler stopped (exit code {scheduler_proc.returncode}): periodic work is not running. "
                    "Restart dev.py run to start it again.")
                warned = True
            time.sleep(0.2)
    except Stop:
        code = 0
    finally:
        for sig in previous:  # a second Ctrl+C must not cut the clean-up short: stop() ends in SIGKILL anyway
            signal.signal(sig, signal.SIG_IGN)
        say("Stopping the server and the scheduler")
        children.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def cmd_run(argv: list[str]) -> None:
    ensure_python()
    ensure_venv("")
    port = os.environ.get("PORT", "8000")
    env = run_env(os.environ, port)
    say("Migrating the database")
    run(PY, "manage.py", "migrate", "--noinput", env=env, stdout=subprocess.DEVNULL)
    say("Loading the demo data")
    run(PY, "manage.py", "load_demo", env=env)
    url = f"http://127.0.0.1:{port}/"
    scheduler = scheduler_command(env)
    say(f"Serving on {url}  (Ctrl+C to stop)")
    how = "celery beat, tasks run in its process" if tasks_run_eagerly(env) else "celery worker --beat, on the broker"
    say(f"Periodic work (reminders, sign-off escalations, the weekly email, the nightly re-evaluation, the outbox) "
        f"runs beside it ({how}); emails link to {env['SITE_URL']}")
    print(f"\n    Open {url} and log in with one of the demo logins above.\n", flush=True)
    sys.exit(serve([PY, "manage.py", "runserver", f"127.0.0.1:{port}", *argv], scheduler, env))


def test_workers(argv: list[str], env) -> int:
    """How many pytest-xdist workers: TEST_WORKERS, else one per core (at most 4); one when the arguments already
    choose (-n, -p no:xdist) or ask for a debugger or captured output off (-s, --pdb), which need one process."""
    if any(a in ("-n", "--numprocesses", "-s", "--pdb", "--capture=no") or a.startswith(("-n", "--numprocesses="))
           for a in argv) or "no:xdist" in argv:
        return 1
    if env.get("TEST_WORKERS", "").strip():
        return max(1, int(env["TEST_WORKERS"]))
    return max(1, min(os.cpu_count() or 1, 4))


def cmd_test(argv: list[str]) -> None:
    ensure_python()
    ensure_venv("[test]")
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        say("Chromium not found: the browser tests will be skipped (install Debian's 'chromium' to run them)")
    workers = test_workers(argv, env)
    say(f"Running the test suite{f' on {workers} workers (pytest-xdist; TEST_WORKERS=1 for one process)' if workers > 1 else ''}")
    extra = ["-n", str(workers)] if workers > 1 else []
    result = subprocess.run([str(PY), "-m", "pytest", *extra, *argv], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"run": cmd_run, "test": cmd_test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
