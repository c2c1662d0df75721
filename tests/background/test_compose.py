"""docker-compose.yml, checked without Docker: the services it must have, and every command it runs exists here."""
import re
import shlex
import warnings
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands, load_command_class
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES = {"web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _commands(command) -> list[list[str]]:
    """A service's command as argv lists: `sh -c "a && b"` is two commands."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in re.split(r"&&|;", argv[2]) if part.strip()]
    return [argv]


def _healthcheck_command(test) -> list[str] | None:
    if isinstance(test, str):
        return shlex.split(test.replace("$$", "$"))
    kind, *rest = test
    if kind == "CMD":
        return rest
    if kind == "CMD-SHELL":
        return shlex.split(rest[0].replace("$$", "$"))
    return None


def check_manage_py(argv: list[str]) -> None:
    assert argv[:2] == ["python", "manage.py"], argv
    name, *options = argv[2:]
    commands = get_commands()
    assert name in commands, f"manage.py has no command {name!r}"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(options)


def check_gunicorn(argv: list[str]) -> None:
    from gunicorn.config import Config

    assert argv[0] == "gunicorn"
    parsed = Config().parser().parse_args(argv[1:])
    (target,) = parsed.args
    module_name, _, attribute = target.partition(":")
    module = __import__(module_name, fromlist=[attribute])
    assert callable(getattr(module, attribute)), target


def check_celery(argv: list[str]) -> None:
    from celery.app.utils import find_app
    from celery.bin.base import CLIContext
    from celery.bin.celery import celery

    assert argv[0] == "celery"
    ctx = celery.make_context("celery", argv[1:])
    app = find_app(ctx.params["app"])
    assert app.main == "rehab", "-A names the project's Celery app"
    ctx.obj = CLIContext(app=app, no_color=True, workdir=None, quiet=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # click 8.2+: protected_args
        subcommand, *rest = [*ctx.protected_args, *ctx.args]
    assert subcommand in celery.commands, f"celery has no subcommand {subcommand!r}"
    sub = celery.commands[subcommand].make_context(subcommand, list(rest), parent=ctx)
    if subcommand == "inspect":
        from celery.app.control import Inspect

        assert callable(getattr(Inspect, sub.params["command"], None)), f"celery inspect has no {sub.params['command']!r}"


def check_python_c(argv: list[str]) -> None:
    assert argv[:2] == ["python", "-c"]
    compile(argv[2], "<healthcheck>", "exec")
    for path in re.findall(r"http://127\.0\.0\.1:8000(/[^'\"]*)", argv[2]):
        resolve(path)


def check(argv: list[str]) -> None:
    if argv[:2] == ["python", "manage.py"]:
        check_manage_py(argv)
    elif argv[0] == "gunicorn":
        check_gunicorn(argv)
    elif argv[0] == "celery":
        check_celery(argv)
    elif argv[:2] == ["python", "-c"]:
        check_python_c(argv)
    else:
        pytest.fail(f"a command this test does not know how to check: {argv}")


def test_the_app_services_share_one_definition_through_a_yaml_anchor():
    root = yaml.compose(COMPOSE.read_text())
    top = {key.value: value for key, value in root.value}
    anchor = next((node for name, node in top.items() if name.startswith("x-")), None)
    assert anchor is not None, "a shared x-... definition"
    assert re.search(r"^x-[\w-]+: &(\w+)", COMPOSE.read_text(), re.M), "the shared definition carries an &anchor"
    service_nodes = {key.value: value for key, value in top["services"].value}
    for name in APP_SERVICES:
        merges = [value for key, value in service_nodes[name].value if key.value == "<<"]
        assert merges and merges[0] is anchor, f"{name} merges the shared definition (<<: *anchor)"


def test_services_volumes_and_health_checks(compose, services):
    assert APP_SERVICES | {"db", "redis"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    for name in ("db", "redis", "web"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has a health check"
    db_volumes = services["db"]["volumes"]
    named = [v.split(":")[0] for v in db_volumes if ":" in v and not v.startswith((".", "/"))]
    assert any(v in (compose.get("volumes") or {}) for v in named), "PostgreSQL data in a named volume"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db_volumes)
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == depends["redis"]["condition"] == "service_healthy"


def test_exactly_one_beat(services):
    beats = [name for name, svc in services.items()
             if any(argv[:1] == ["celery"] and "beat" in argv for argv in _commands(svc.get("command") or []))]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    worker = [argv for argv in _commands(services["worker"]["command"])][0]
    assert "worker" in worker and "-B" not in worker and "--beat" not in worker, "no second beat inside the worker"


def test_every_command_exists_in_the_project(services):
    checked = 0
    for name, svc in services.items():
        if name in APP_SERVICES:
            for argv in _commands(svc["command"]):
                check(argv)
                checked += 1
            health = svc.get("healthcheck")
            if health:
                check(_healthcheck_command(health["test"]))
                checked += 1
    assert checked >= 5


def test_the_image_default_command_exists():
    text = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd, "the Dockerfile has a CMD"
    check(yaml.safe_load(cmd.group(1)))
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".venv" in ignored, "secrets and the virtualenv stay out of the image"


def test_env_example_names_every_variable_compose_and_production_need():
    example = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    needed = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text()))
    settings_text = (ROOT / "rehab/settings/production.py").read_text()
    needed |= set(re.findall(r'env(?:\.\w+)?\("(\w+)"\)', settings_text))  # required: no default
    needed |= {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL"}
    assert needed <= set(example), f"missing from .env.example: {sorted(needed - set(example))}"
    assert example["DATABASE_URL"].split("@")[1].startswith("db:"), "the app reaches PostgreSQL as db"
    assert example["REDIS_URL"].startswith("redis://redis:"), "the app reaches Redis as redis"


def test_readme_documents_docker_compose_up():
    assert "docker compose up" in (ROOT / "README.md").read_text()
