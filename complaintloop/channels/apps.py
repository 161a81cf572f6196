from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "complaintloop.channels"
    label = "channels"
    verbose_name = _("受理渠道")

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration

        from .models import Mailbox, OfflineUnit, SmsGrammar

        # Audited configuration (R33); stored passwords never reach the log.
        watch_configuration(Mailbox, secret=("password", "password_sealed"))
        watch_configuration(OfflineUnit)
        watch_configuration(SmsGrammar)
        from . import consumers, signals  # noqa: F401  (outbox consumers, customer email sync)
