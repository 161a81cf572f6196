from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "complaintloop.quality"
    label = "quality"
    verbose_name = "质量指标"

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration

        from .models import Indicator, ScorecardItem

        # Configuration changes are audited (R33).
        watch_configuration(Indicator)
        watch_configuration(ScorecardItem)
        from . import rollup  # noqa: F401  (registers the incremental rollup consumer)
