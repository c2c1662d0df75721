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

    def handle(self, *args, file, protocol, check, **options):
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            self.fail(f"cannot read {file}: {exc.strerror}")
        except UnicodeDecodeError:
            self.fail(f"{file} is not UTF-8 text")
        try:
            row = protocol_latest(slug=protocol)
        except DatabaseError:  # no database, or not migrated yet
            row = None
            if protocol != engine.load_default_protocol().slug:
                self.fail(f"no database to read protocol {protocol!r} from: run manage.py migrate first")
            self.stderr.write("simulate_protocol: no database yet; using the shipped default protocol")
        if row is None and protocol != engine.load_default_protocol().slug:
            self.fail(f"unknown protocol {protocol!r}")
        try:
            if row is None:
                document = engine.parse_scenario_document(text)
                output, mismatches = engine.run_scenarios(engine.load_default_protocol(), document)
            else:
                output, mismatches = run_bench(row, text)
        except engine.ScenarioError as exc:
            self.fail(str(exc))
        self.stdout.write(json.dumps(output, cls=JSONEncoder, indent=1, ensure_ascii=False))
        if check:
            for line in mismatches:
                self.stderr.write(line)
            if mismatches:
                self.stderr.write(f"{len(mismatches)} mismatch(es) in {len(output['results'])} scenario(s)")
                sys.exit(1)
