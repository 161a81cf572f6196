"""Monthly monitoring reports and weekly bulletins (R22): each generated file pair, and
who receives them by email."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintloop.org.models import Unit


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("月度监测报告")
    WEEKLY = "weekly", _("周服务简报")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("定时")
    MANUAL = "manual", _("手动")


class ReportQuerySet(models.QuerySet):
    def visible_to(self, actor) -> "ReportQuerySet":
        """Reports whose scope lies inside the actor's data scope (a city's manager sees
        that city's reports; the province sees all)."""
        path = actor.scope_path
        if not path or not actor.can_view_quality:
            return self.none()
        if path == "/" or path.count("/") == 2:
            return self
        return self.filter(scope_unit__path__startswith=path)


def _upload_to(instance: "Report", filename: str) -> str:
    return f"reports/{instance.period_start:%Y}/{filename}"


class Report(models.Model):
    """One report for one scope and period, as PDF and XLSX."""

    kind = models.CharField(_("类型"), max_length=16, choices=ReportKind.choices)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    scope_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("范围")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申请人"),
    )
    pdf = models.FileField(upload_to=_upload_to, blank=True)
    xlsx = models.FileField(upload_to=_upload_to, blank=True)
    pdf_bytes = models.PositiveIntegerField(default=0)
    xlsx_bytes = models.PositiveIntegerField(default=0)
    pages = models.PositiveSmallIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.PositiveSmallIntegerField(default=0)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A beat tick that runs twice must not make two scheduled reports.
            models.UniqueConstraint(
                fields=["kind", "period_start", "scope_unit"],
                condition=models.Q(trigger="schedule"),
                name="report_scheduled_once",
            )
        ]
        indexes = [
            models.Index(fields=["kind", "-period_start"], name="report_kind_period_idx"),
        ]
        verbose_name = _("监测报告")
        verbose_name_plural = _("监测报告")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scope_unit_id} {self.period_start}"

    @property
    def duration_seconds(self) -> float | None:
        return None if self.duration_ms is None else round(self.duration_ms / 1000, 1)

    @property
    def period_key(self) -> str:
        """``2026-10`` for a month, ``2026-W47`` for an ISO week."""
        if self.kind == ReportKind.WEEKLY:
            year, week, _day = self.period_start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.period_start:%Y-%m}"

    @property
    def slug(self) -> str:
        """File stem: kind, scope code and period (also the download name)."""
        return f"{self.kind}-{self.scope_unit.code}-{self.period_key}"


class Recipient(models.Model):
    """Someone who gets a scope's reports of a kind by email when they are done."""

    scope_unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("范围")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ReportKind.choices)
    email = models.EmailField(_("邮箱"))
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["scope_unit", "kind", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_unit", "kind", "email"], name="report_recipient_uniq"
            )
        ]
        verbose_name = _("报告订阅人")
        verbose_name_plural = _("报告订阅人")

    def __str__(self) -> str:
        return f"{self.email} ({self.kind})"
