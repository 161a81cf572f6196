from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "complaintloop.routing"
    label = "routing"

    def ready(self) -> None:
        from . import signals  # noqa: F401
