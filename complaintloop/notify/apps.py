from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "complaintloop.notify"
    label = "notify"

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers the outbox consumers)
