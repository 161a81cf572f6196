"""Keywords, early-warning alerts, warning notices (风险预警单) and problems (R23–R25)."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from complaintloop.org.models import Unit
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Ticket

# ------------------------------------------------------------------------- keywords


class DomainTerm(models.Model):
    """A word jieba must keep whole (光猫, 停电); ``weight`` boosts it among keywords."""

    word = models.CharField(_("词语"), max_length=32, unique=True)
    weight = models.FloatField(_("权重"), default=1.5)

    class Meta:
        ordering = ["word"]
        verbose_name = _("领域词")
        verbose_name_plural = _("领域词")

    def __str__(self) -> str:
        return self.word


class StopWord(models.Model):
    word = models.CharField(_("词语"), max_length=32, unique=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("停用词")
        verbose_name_plural = _("停用词")

    def __str__(self) -> str:
        return self.word


class TicketKeyword(models.Model):
    """One of a ticket's top keywords, extracted at intake."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="keywords")
    word = models.CharField(max_length=32)
    weight = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "word"], name="ticket_keyword_uniq")
        ]
        indexes = [models.Index(fields=["word"], name="ticket_keyword_word_idx")]
        verbose_name = _("工单关键词")
        verbose_name_plural = _("工单关键词")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.word}"


# ---------------------------------------------------------------------- early warning


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    DISMISSED = "dismissed", _("已忽略")
    CLOSED = "closed", _("已关闭")


ACTIVE_ALERT = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class AlertQuerySet(models.QuerySet):
    def visible_to(self, actor) -> "AlertQuerySet":
        path = actor.scope_path
        if not path:
            return self.none()
        if path == "/" or path.count("/") == 2:
            return self
        return self.filter(region__path__startswith=path)


class Alert(models.Model):
    """A day on which a (region, category) series rose above its control limit."""

    region = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    observed = models.PositiveIntegerField(_("实际量"))
    expected = models.FloatField(_("基线"))
    upper_limit = models.FloatField(_("控制上限"))
    score = models.FloatField(_("偏离度"))
    method = models.CharField(max_length=32)
    evidence = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    created_at = models.DateTimeField()
    # Who last acknowledged or dismissed it, and why (a dismissal needs a reason).
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("处理说明"), blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "category", "day"], name="alert_series_day_uniq"
            )
        ]
        indexes = [models.Index(fields=["status", "-day"], name="alert_status_day_idx")]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")

    def __str__(self) -> str:
        return (
            f"{self.day} {self.region_id}/{self.category_id} {self.observed}>{self.upper_limit:.1f}"
        )


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("已下发")
    RESPONDED = "responded", _("已反馈")
    CLOSED = "closed", _("已关闭")


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, actor) -> "NoticeQuerySet":
        """The issuing side sees what its scope covers; the responsible unit sees its own."""
        path = actor.scope_path
        if not path:
            return self.filter(issued_by=actor) if actor.pk else self.none()
        if path == "/" or path.count("/") == 2:
            return self
        return self.filter(Q(responsible_unit__path__startswith=path) | Q(issued_by=actor))


class WarningNotice(models.Model):
    """风险预警单: a warning sent to the responsible unit, answered and closed in a loop."""

    number = models.CharField(_("编号"), max_length=32, unique=True)
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("预警内容"))
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    status = models.CharField(
        max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField(_("反馈时限"))
    response = models.TextField(_("整改反馈"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    remonitor_result = models.JSONField(_("复监测结果"), default=dict, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"], name="notice_status_due_idx")]
        verbose_name = _("风险预警单")
        verbose_name_plural = _("风险预警单")

    def __str__(self) -> str:
        return self.number


class WarningNoticeEvent(models.Model):
    """One step of a notice's trace. Append-only."""

    notice = models.ForeignKey(WarningNotice, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    comment = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["notice_id", "id"]
        verbose_name = _("预警单轨迹")
        verbose_name_plural = _("预警单轨迹")

    def __str__(self) -> str:
        return f"{self.notice_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("notice events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("notice events are append-only")


# ------------------------------------------------------------------------- problems


class ProblemStatus(models.TextChoices):
    DISCOVER = "discover", _("发现")
    ANALYZE = "analyze", _("分析")
    IMPROVE = "improve", _("改进")
    EVALUATE = "evaluate", _("评估")
    CLOSED = "closed", _("关闭")


class ProblemQuerySet(models.QuerySet):
    def visible_to(self, actor) -> "ProblemQuerySet":
        path = actor.scope_path
        if not path:
            return self.filter(owner=actor) if actor.pk else self.none()
        if path == "/" or path.count("/") == 2:
            return self
        mine = ImprovementAction.objects.filter(problem=OuterRef("pk"), owner=actor)
        return self.filter(Q(unit__path__startswith=path) | Q(owner=actor) | Exists(mine))


class Problem(models.Model):
    """A root cause behind many tickets (R23), worked through discover → closed."""

    title = models.CharField(_("问题"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.DISCOVER
    )
    root_cause = models.TextField(_("根因"), blank=True)
    evaluation = models.TextField(_("效果评估"), blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("问题管理")
        verbose_name_plural = _("问题管理")

    def __str__(self) -> str:
        return self.title


class ProblemTicket(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["problem", "ticket"], name="problem_ticket_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}:{self.ticket_id}"


class ImprovementAction(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("改进措施"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(_("完成时限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("改进措施")
        verbose_name_plural = _("改进措施")

    def __str__(self) -> str:
        return self.description[:40]
