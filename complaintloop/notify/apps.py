from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "complaintloop.notify"
    label = "notify"
    verbose_name = _("通知")

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration

        from .models import NotificationTemplate, StaffAlertSetting

        watch_configuration(NotificationTemplate)  # audited configuration (R33)
        watch_configuration(StaffAlertSetting)
        from . import services  # noqa: F401  (registers the outbox consumers)
