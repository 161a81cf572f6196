from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "complaintloop.webhooks"
    label = "webhooks"
    verbose_name = _("Webhook 推送")

    def ready(self) -> None:
        from . import services  # noqa: F401  (registers the outbox consumers)
