from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "complaintloop.insights"
    label = "insights"
    verbose_name = "热点与预警"

    def ready(self) -> None:
        from . import keywords  # noqa: F401  (registers the intake keyword consumer)
