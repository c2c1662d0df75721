from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: audit trail, notifications, outbox"

    def ready(self):
        from . import admin_tokens, security

        security.connect()
        admin_tokens.register()
