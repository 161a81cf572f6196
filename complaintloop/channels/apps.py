from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "complaintloop.channels"
    label = "channels"
    verbose_name = _("受理渠道")

    def ready(self) -> None:
        from . import consumers, signals  # noqa: F401  (outbox consumers, customer email sync)
