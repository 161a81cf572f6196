from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "complaintloop.quality"
    label = "quality"
    verbose_name = "质量指标"

    def ready(self) -> None:
        from . import rollup  # noqa: F401  (registers the incremental rollup consumer)
