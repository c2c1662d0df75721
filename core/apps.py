from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: audit trail, notifications, outbox"

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        from .audit import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="core.audit.sqlite_functions")
        # Connections opened before the app registry was ready (rare: a management command's early checks).
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                register_sqlite_functions(None, connection)
        from . import admin_tokens, security

        security.connect()
        admin_tokens.register()
