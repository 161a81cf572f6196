from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "complaintloop.insights"
    label = "insights"
    verbose_name = "热点与预警"

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration

        from .models import DomainTerm, StopWord

        watch_configuration(DomainTerm)  # the keyword dictionary is configuration
        watch_configuration(StopWord)
        # Register the outbox consumers (intake keywords, dictionary edits, notices).
        from . import handlers, keywords  # noqa: F401
