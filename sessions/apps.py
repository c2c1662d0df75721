from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Session logs, next-morning reports and assessments.

    Labelled "training": django.contrib.sessions already owns the label "sessions".
    """

    name = "sessions"
    label = "training"
    verbose_name = "Training sessions and assessments"
