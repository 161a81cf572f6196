from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintloop.org.models import Unit
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Ticket


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    MITIGATED = "mitigated", _("已缓解")
    RESOLVED = "resolved", _("已恢复")
    REVIEWED = "reviewed", _("已复盘")


ACTIVE_STATUSES = (IncidentStatus.OPEN, IncidentStatus.MITIGATED)


class IncidentSource(models.TextChoices):
    MANUAL = "manual", _("人工申报")
    ALERT = "alert", _("预警单")
    PARTNER = "partner", _("合作方故障")


class Incident(models.Model):
    """One outage or mass complaint (重大故障/批量投诉, R16): its scope (category, regions,
    window, keywords) decides which complaints attach; one reply answers them all."""

    number = models.CharField(_("编号"), max_length=32, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    cause = models.TextField(_("原因"), blank=True)
    public_text = models.TextField(_("对客户公告"), blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("分类(含下级)")
    )
    regions = models.ManyToManyField(Unit, related_name="+", verbose_name=_("影响地区"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    owner_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=IncidentSource.choices, default=IncidentSource.MANUAL
    )
    reply = models.TextField(_("统一答复"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "starts_at"], name="incident_active")]
        verbose_name = _("重大故障")
        verbose_name_plural = _("重大故障")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class AttachedTicket(models.Model):
    """A complaint waiting on an incident; a ticket waits on at most one."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="attached")
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(max_length=16)  # "auto" | "manual"
    attached_at = models.DateTimeField()
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["incident", "answered_at"], name="incident_pending")]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.ticket_id}"
