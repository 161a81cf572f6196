from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "complaintloop.reports"
    label = "reports"
    verbose_name = _("监测报告")

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration

        from .models import Recipient

        watch_configuration(Recipient)  # audited configuration (R33)
