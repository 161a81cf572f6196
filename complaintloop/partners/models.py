from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    DIRECTORY = "directory", _("客户资料(CRM)")
    BILLING = "billing", _("计费账单(BOSS)")
    FAULTS = "faults", _("网络故障(NSP)")


class TicketEnrichment(models.Model):
    """What the partner systems said about the customer when the ticket was taken:
    kept as it was then (bills and faults change later), shown on the ticket page."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="enrichment"
    )
    fetched_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("外部系统快照")
        verbose_name_plural = _("外部系统快照")

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.fetched_at:%Y-%m-%d %H:%M}"


class PartnerFailure(models.Model):
    """Failed partner calls per source and outcome, for /metrics (counted in the
    database so every web process reports the same figure)."""

    source = models.CharField(max_length=16, choices=Source.choices)
    outcome = models.CharField(max_length=16)  # timeout | error
    count = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField()
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "outcome"], name="partner_failure_uniq")
        ]
        verbose_name = _("外部系统调用失败")
        verbose_name_plural = _("外部系统调用失败")

    def __str__(self) -> str:
        return f"{self.source} {self.outcome}: {self.count}"
