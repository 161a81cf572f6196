"""Retention (R33): how long each class of personal data is kept after its ticket is
closed, what each run of the policy did, and what it erased."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DataClass(models.TextChoices):
    ATTACHMENTS = "attachments", _("工单附件")
    RECORDINGS = "recordings", _("录音、语音留言与传真")
    CUSTOMER_PII = "customer_pii", _("客户个人信息")


# What happens to a class when its period is over; fixed per class, not configurable.
ACTIONS = {
    DataClass.ATTACHMENTS: _("删除文件"),
    DataClass.RECORDINGS: _("删除文件"),
    DataClass.CUSTOMER_PII: _("匿名化(保留统计)"),
}


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("天")
    MONTHS = "months", _("个月")
    YEARS = "years", _("年")


class RetentionPolicy(models.Model):
    """How long one class of data is kept after its ticket is closed (保存期限)."""

    data_class = models.CharField(
        _("数据类别"), max_length=16, choices=DataClass.choices, unique=True
    )
    keep = models.PositiveIntegerField(_("保存期限"))
    unit = models.CharField(
        _("单位"), max_length=8, choices=PeriodUnit.choices, default=PeriodUnit.YEARS
    )
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用后定时任务不再处理此类数据")
    )
    basis = models.CharField(
        _("依据"), max_length=255, blank=True, help_text=_("制度或法规依据,供审计查阅")
    )
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("修改人"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("保留策略")
        verbose_name_plural = _("保留策略")

    def __str__(self) -> str:
        return f"{self.get_data_class_display()}: {self.period_label}"

    @property
    def period_label(self) -> str:
        return _("归档后 %(n)s %(unit)s") % {"n": self.keep, "unit": self.get_unit_display()}

    @property
    def action_label(self) -> str:
        return str(ACTIONS[DataClass(self.data_class)])

    def cutoff(self, now: datetime) -> datetime:
        """Data of tickets closed before this moment is due."""
        return now - relativedelta(**{self.unit: self.keep})

    def due_after(self, moment: datetime) -> datetime:
        """When data of a ticket closed at ``moment`` becomes due."""
        return moment + relativedelta(**{self.unit: self.keep})


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("执行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("定时")
    PAGE = "page", _("页面")
    COMMAND = "command", _("命令")


class RetentionRun(models.Model):
    """One run of the policies, real or dry: who, when, and per class how many rows it
    affected (or would have) and the oldest one."""

    dry_run = models.BooleanField(_("预演"))
    trigger = models.CharField(_("触发"), max_length=16, choices=Trigger.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("执行人"),
    )
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    # Written after every batch: a run whose worker died stops blocking the next one.
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    report = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # One real run at a time: two would lock the same customers batch by batch.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="running", dry_run=False),
                name="retention_one_real_run",
            )
        ]
        verbose_name = _("保留任务记录")
        verbose_name_plural = _("保留任务记录")

    def __str__(self) -> str:
        kind = _("预演") if self.dry_run else _("执行")
        return f"{self.started_at:%Y-%m-%d %H:%M} {kind} {self.get_status_display()}"

    @property
    def actor_label(self) -> str:
        return (self.actor.display_name or self.actor.username) if self.actor_id else _("系统")


class ErasedFile(models.Model):
    """The trace of an attachment whose bytes were erased: the row stays with what a
    statistic or an audit may ask (ticket, type, size, dates), not the file's name.
    ``file_deleted_at`` is set once storage confirmed the delete; until then every run
    tries again."""

    attachment_id = models.BigIntegerField(unique=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="+", verbose_name=_("工单")
    )
    data_class = models.CharField(_("数据类别"), max_length=16, choices=DataClass.choices)
    content_type = models.CharField(_("类型"), max_length=128)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    uploaded_at = models.DateTimeField(_("上传时间"))
    storage_name = models.CharField(max_length=255, blank=True)
    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(_("删除时间"))
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                name="erasedfile_pending_idx",
                condition=Q(file_deleted_at__isnull=True),
            )
        ]
        verbose_name = _("已删除附件")
        verbose_name_plural = _("已删除附件")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.attachment_id} {self.data_class}"


class PseudonymisedCustomer(models.Model):
    """A customer whose personal data was replaced by a pseudonym, and by which run. The
    customer row and its tickets stay, so every figure about them stays the same."""

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="+",
        verbose_name=_("客户"),
    )
    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("匿名化时间"))

    class Meta:
        verbose_name = _("已匿名化客户")
        verbose_name_plural = _("已匿名化客户")

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.at:%Y-%m-%d}"
