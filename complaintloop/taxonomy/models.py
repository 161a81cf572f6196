from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintloop.org.models import Unit


class TimeBasisChoice(models.TextChoices):
    WORKING = "working", _("工作时间")
    NATURAL = "natural", _("自然时间")


class OrderType(models.Model):
    """投诉/建议/求助/预约/咨询/表扬 (R2), each with its own process and limit."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    default_process_key = models.CharField(
        _("默认流程"), max_length=64, default="general_complaint"
    )
    time_limit_minutes = models.PositiveIntegerField(_("处理时限(分钟)"), default=3 * 540)
    time_basis = models.CharField(
        _("计时方式"),
        max_length=16,
        choices=TimeBasisChoice.choices,
        default=TimeBasisChoice.WORKING,
    )
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("工单类型")
        verbose_name_plural = _("工单类型")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of the 4-level complaint taxonomy (R5): levels 1–3 head-office standard,
    level 4 local. Defaults apply to orders filed under the node or its descendants."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("级别"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    full_name = models.CharField(_("全称"), max_length=255, editable=False)
    is_local = models.BooleanField(_("本地分类"), default=False)
    default_process_key = models.CharField(_("默认流程"), max_length=64, blank=True)
    default_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("默认处理单位"),
    )
    time_limit_minutes = models.PositiveIntegerField(_("处理时限(分钟)"), null=True, blank=True)
    time_basis = models.CharField(
        _("计时方式"), max_length=16, choices=TimeBasisChoice.choices, blank=True
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("投诉分类")
        verbose_name_plural = _("投诉分类")

    def __str__(self) -> str:
        return self.full_name or self.name

    def save(self, *args, **kwargs):
        if self.parent_id:
            self.level = self.parent.level + 1
            self.path = f"{self.parent.path}{self.code}/"
            self.full_name = f"{self.parent.full_name}/{self.name}"
        else:
            self.level = 1
            self.path = f"/{self.code}/"
            self.full_name = self.name
        super().save(*args, **kwargs)


class Product(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = _("产品")

    def __str__(self) -> str:
        return self.name


class ServiceProvider(models.Model):
    """SP / content provider of value-added services (003 per-SP statistics)."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        verbose_name = _("SP")
        verbose_name_plural = _("SP")

    def __str__(self) -> str:
        return self.name
