from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "complaintloop.quality"
    label = "quality"
    verbose_name = "质量指标"
