"""`python3.11 dev.py run`: the scheduler starts and stops with the server, and emails link to the server's port.

dev.py is imported as a module (it is standard library only), so these tests run what `run` runs.
"""
import importlib.util
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_dev():
    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = load_dev()


def test_site_url_follows_the_port():
    assert dev.run_env({}, "8765")["SITE_URL"] == "http://127.0.0.1:8765/"
    assert dev.run_env({}, "8000")["SITE_URL"] == "http://127.0.0.1:8000/"
    assert dev.run_env({"SITE_URL": "https://rehab.example.org"}, "8765")["SITE_URL"] == "https://rehab.example.org"
    assert dev.run_env({}, "8765")["DJANGO_SETTINGS_MODULE"] == "rehab.settings.local"


def test_links_in_emails_use_the_port_the_server_was_started_on():
    """The settings the server and the scheduler load from dev.py's environment build links to that port."""
    env = dev.run_env({k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DJANGO_SETTINGS_MODULE")}, "8765")
    code = "from core.notifications import absolute_url; print(absolute_url('/clinic/athletes/7/'))"
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8765/clinic/athletes/7/"


def test_the_scheduler_is_beat_when_tasks_are_eager_and_a_worker_with_beat_on_a_broker():
    beat = dev.scheduler_command({}, schedule=Path("/tmp/s"), python=Path("py"))
    assert beat == ["py", "-m", "celery", "-A", "rehab", "beat", "--loglevel", "INFO", "--schedule", "/tmp/s"]
    worker = dev.scheduler_command({"REDIS_URL": "redis://127.0.0.1:6379/5"}, schedule=Path("/tmp/s"), python=Path("py"))
    assert worker[3:7] == ["-A", "rehab", "worker", "--beat"]
    assert dev.tasks_run_eagerly({"REDIS_URL": "redis://x", "CELERY_TASK_ALWAYS_EAGER": "true"})
    assert not dev.tasks_run_eagerly({"CELERY_BROKER_URL": "redis://x"})


def test_the_schedule_file_is_kept_out_of_git():
    assert dev.SCHEDULE.parent == ROOT
    names = [str(dev.SCHEDULE), *(f"{dev.SCHEDULE}{suffix}" for suffix in (".db", ".dat", ".dir", ".bak"))]
    ignored = subprocess.run(["git", "check-ignore", *names], cwd=ROOT, capture_output=True, text=True)
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.stdout.split() == names, "celerybeat-schedule* must be in .gitignore"


DRIVER = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    import importlib.util
    spec = importlib.util.spec_from_file_location("dev", {dev!r})
    dev = importlib.util.module_from_spec(spec); spec.loader.exec_module(dev)
    child = [sys.executable, "-c", {child!r}]
    sys.exit(dev.serve(child + ["server"], child + ["scheduler"], dict(os.environ)))
""")
# Each child writes its pid, and the "server" starts a grandchild first, as runserver's autoreloader does.
CHILD = textwrap.dedent("""
    import os, subprocess, sys, time
    role, out = sys.argv[1], os.environ["PIDS"]
    if role == "server":
        subprocess.Popen([sys.executable, "-c", "import os, time; open(os.environ['PIDS'] + '/reloaded', 'w').write(str(os.getpid())); time.sleep(120)"])
    open(f"{out}/{role}", "w").write(str(os.getpid()))
    time.sleep(120)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(os.name != "posix", reason="process groups and signals are POSIX")
@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl+C", "SIGTERM"])
def test_ctrl_c_stops_the_server_and_the_scheduler_and_leaves_no_process(tmp_path, stop_with):
    pids = tmp_path / "pids"
    pids.mkdir()
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER.format(root=str(ROOT), dev=str(ROOT / "dev.py"), child=CHILD)],
        env={**os.environ, "PIDS": str(pids)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(list(pids.iterdir())) < 3:
            time.sleep(0.05)
        started = {p.name: int(p.read_text()) for p in pids.iterdir()}
        assert set(started) == {"server", "scheduler", "reloaded"}, driver.communicate(timeout=5)[0] if driver.poll() is not None else started
        assert all(_alive(pid) for pid in started.values())
        driver.send_signal(stop_with)
        output, _ = driver.communicate(timeout=30)
        assert driver.returncode == 0, output
        assert "Stopping the server and the scheduler" in output
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in started.values()):
            time.sleep(0.05)
        assert [name for name, pid in started.items() if _alive(pid)] == [], "orphan processes left"
    finally:
        if driver.poll() is None:
            driver.kill()
