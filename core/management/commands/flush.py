"""Django's `flush`, allowed to empty the append-only audit table on SQLite (see core.audit.flushing)."""
from django.core.management.commands.flush import Command as FlushCommand

from core.audit import flushing


class Command(FlushCommand):
    help = FlushCommand.help + " On SQLite this is the only way to delete audit rows."

    def handle(self, **options):
        with flushing():
            return super().handle(**options)
