from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "complaintloop.core"
    label = "core"

    def ready(self) -> None:
        from . import signals  # noqa: F401 (registers the calendar receivers)
        from .audit import watch_configuration
        from .models import WorkCalendarDay

        watch_configuration(WorkCalendarDay)  # audited configuration (R33)
