from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Urgency(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("urgency", "一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class TableStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class DecisionTable(models.Model):
    """One version of a DMN decision table (R11): routing (unit, urgency, limit,
    process) or time limits by category × urgency. A draft until published, then never
    changed; the newest published version of a key is the one in use."""

    key = models.CharField(_("决策表标识"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=128)
    hit_policy = models.CharField(_("命中策略"), max_length=16)
    dmn_xml = models.TextField(_("DMN XML"))
    rule_count = models.PositiveIntegerField(_("规则数"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=TableStatus.choices, default=TableStatus.DRAFT
    )
    comment = models.CharField(_("说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发布人"),
    )

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="decision_key_version_uniq")
        ]
        indexes = [models.Index(fields=["key", "status", "-version"], name="decision_in_use")]
        verbose_name = _("决策表")
        verbose_name_plural = _("决策表")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
