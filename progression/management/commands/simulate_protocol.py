"""The protocol test bench: replay a scenario file through the engine with a stored protocol.

    python manage.py simulate_protocol FILE [--protocol SLUG] [--check]

Prints one JSON object with every decision and its reasons. --check compares with each scenario's `expected`
(mismatches to stderr, exit 1). A malformed file or an unknown protocol exits 2 with a message, never a traceback.
With no database yet (a fresh clone, before `migrate`), the default protocol comes from the shipped file
(progression/protocols/hamstring-rts.json): its stored versions differ from it only in doses, never in a rule.
"""
import json
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from core.jsonsafe import JSONEncoder
from progression import engine
from progression.selectors import protocol_latest, run_bench


class Command(BaseCommand):
    help = "Replay a scenario file through the progression engine (the protocol test bench)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Scenario file (JSON), or - for standard input")
        parser.add_argument("--protocol", default="hamstring-rts", help="Slug of a stored protocol (latest version)")
        parser.add_argument("--check", action="store_true", help="Compare with `expected`; exit 1 on any mismatch")

    def fail(self, message: str, code: int = 2):
        self.stderr.write(f"simulate_protocol: {message}")
        sys.exit(code)

    def read(self, file: str) -> str:
        try:
            if file == "-":
                return sys.stdin.read()
            with open(file, encoding="utf-8") as handle:
                return handle.read()
        except OSError as exc:
            self.fail(f"cannot read {file}: {exc.strerror}")
        except UnicodeDecodeError:
            self.fail(f"{file} is not UTF-8 text")

    def replay(self, slug: str, text: str) -> tuple[dict, list[str]]:
        """Through the newest stored version; with no database yet, the default protocol from the shipped file."""
        default = engine.load_default_protocol()
        try:
            row = protocol_latest(slug=slug)
        except DatabaseError:  # no database, or not migrated yet
            if slug != default.slug:
                self.fail(f"no database to read protocol {slug!r} from: run manage.py migrate first")
            self.stderr.write("simulate_protocol: no database yet; using the shipped default protocol")
            return engine.run_scenarios(default, engine.parse_scenario_document(text))
        if row is None:
            self.fail(f"unknown protocol {slug!r}")
        return run_bench(row, text)

    def handle(self, *args, file, protocol, check, **options):
        text = self.read(file)
        try:
            output, mismatches = self.replay(protocol, text)
        except engine.ScenarioError as exc:
            self.fail(str(exc))
        self.stdout.write(json.dumps(output, cls=JSONEncoder, indent=1, ensure_ascii=False))
        if check:
            for line in mismatches:
                self.stderr.write(line)
            if mismatches:
                self.stderr.write(f"{len(mismatches)} mismatch(es) in {len(output['results'])} scenario(s)")
                sys.exit(1)
