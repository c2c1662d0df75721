from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    label = "imports"
    verbose_name = "Device imports (strength tests, GPS)"

    def ready(self):
        from . import signals  # noqa: F401  (a session logged later picks up a pending measurement)
