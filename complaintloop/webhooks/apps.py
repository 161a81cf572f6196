from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "complaintloop.webhooks"
    label = "webhooks"
    verbose_name = _("Webhook 推送")

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration

        from .models import Subscription

        watch_configuration(Subscription, secret=("secret",))  # audited (R33)
        from . import services  # noqa: F401  (registers the outbox consumers)
