from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintloop.customers.models import CustomerLevel
from complaintloop.org.models import Unit
from complaintloop.taxonomy.models import Category, OrderType


class Urgency(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("urgency", "一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class RoutingRule(models.Model):
    """One row of the routing decision table (R11, DMN-like, first hit by priority).

    Empty inputs match anything; a category matches its whole subtree. The target is
    either a fixed unit or a department code resolved inside the ticket's city
    (``NJ`` + ``WG`` → unit ``NJ-WG``), so one row serves all 17 cities."""

    priority = models.PositiveIntegerField(_("优先级"), default=100, help_text=_("小者优先"))
    name = models.CharField(_("规则名称"), max_length=128)
    order_type = models.ForeignKey(
        OrderType, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("工单类型")
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("分类(含下级)")
    )
    region = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("地市"),
    )
    customer_level = models.CharField(
        _("客户级别"), max_length=16, choices=CustomerLevel.choices, blank=True
    )
    target_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("目标单位"),
    )
    target_department_code = models.CharField(_("地市内部门编码"), max_length=16, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, blank=True)
    time_limit_minutes = models.PositiveIntegerField(_("时限(分钟)"), null=True, blank=True)
    process_key = models.CharField(_("流程"), max_length=64, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("路由规则")
        verbose_name_plural = _("路由规则")

    def __str__(self) -> str:
        return f"{self.priority} {self.name}"
