from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "complaintloop.routing"
    label = "routing"

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration

        from .models import DecisionTable

        watch_configuration(DecisionTable)  # audited configuration (R33)
        from . import signals  # noqa: F401
