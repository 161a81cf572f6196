"""The KPI registry (R21) as data, and the daily rollup the indicators can read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaintloop.org.models import Unit
from complaintloop.tickets.models import Ticket


class Phase(models.TextChoices):
    BEFORE = "before", _("事前")
    DURING = "during", _("事中")
    AFTER = "after", _("事后")


class Kind(models.TextChoices):
    COUNT = "count", _("计数")
    RATE = "rate", _("比率")
    AVERAGE_DURATION = "average_duration", _("平均时长")
    PERCENTILE_DURATION = "percentile_duration", _("时长分位数")
    PER_10K_CUSTOMERS = "per_10k_customers", _("万客户比")


class Direction(models.TextChoices):
    HIGHER_BETTER = "higher_better", _("越高越好")
    LOWER_BETTER = "lower_better", _("越低越好")


class Period(models.TextChoices):
    DAY = "day", _("日")
    WEEK = "week", _("周")
    MONTH = "month", _("月")


class UnitLabel(models.TextChoices):
    PERCENT = "%", "%"
    MINUTES = "分钟", _("分钟")
    HOURS = "小时", _("小时")
    WORKING_DAYS = "工作日", _("工作日")
    PIECES = "件", _("件")
    PER_10K = "件/万户", _("件/万户")


class DateField(models.TextChoices):
    CREATED_AT = "created_at", _("受理时间")
    RESOLVED_AT = "resolved_at", _("回复时间")
    CLOSED_AT = "closed_at", _("归档时间")


class Indicator(models.Model):
    """One KPI. The formula is assembled only from the building blocks below
    (``formulas`` validates and evaluates them); nothing typed by a user is executed.

    - ``count``: tickets matching ``numerator``.
    - ``rate``: matching ``denominator`` AND ``numerator`` / matching ``denominator``
      (``complement`` gives 1 − that ratio, e.g. 满意度 = 1 − 不满意度).
    - ``average_duration`` / ``percentile_duration``: over tickets matching
      ``numerator``, the ``duration`` spec between two timestamps (working or natural
      minutes), or a stored minutes column.
    - ``per_10k_customers``: tickets matching ``numerator`` per 10,000 customers of the
      scope (or of each region when grouped by region)."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name_zh = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    description = models.TextField(_("口径说明"), blank=True)
    phase = models.CharField(_("阶段"), max_length=8, choices=Phase.choices)
    owner_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    owner_label = models.CharField(
        _("责任部门"), max_length=64, blank=True, help_text=_("未指定责任单位时的部门名称")
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    numerator = models.JSONField(_("分子条件"), default=dict, blank=True)
    denominator = models.JSONField(_("分母条件"), default=dict, blank=True)
    complement = models.BooleanField(_("取补(1−比率)"), default=False)
    date_field = models.CharField(
        _("统计日期"), max_length=16, choices=DateField.choices, default=DateField.CREATED_AT
    )
    duration = models.JSONField(_("时长定义"), default=dict, blank=True)
    percentile = models.PositiveSmallIntegerField(_("分位数"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=8, choices=UnitLabel.choices)
    direction = models.CharField(_("方向"), max_length=16, choices=Direction.choices)
    target = models.DecimalField(
        _("目标值"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    warning = models.DecimalField(
        _("预警阈值"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices, default="month")
    source = models.CharField(_("出处"), max_length=64, blank=True)
    is_builtin = models.BooleanField(_("内置"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["phase", "code"]
        verbose_name = _("质量指标")
        verbose_name_plural = _("质量指标")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class DailyTicketStat(models.Model):
    """Tickets created on ``day`` per dimension combination, with the counts the
    indicators need. A cohort row changes while its tickets progress, so the nightly
    rollup recomputes a trailing window (``tasks.rollup_recent``)."""

    day = models.DateField()
    region = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)
    category_l1 = models.CharField(max_length=32, blank=True)
    channel = models.CharField(max_length=16)
    order_type = models.CharField(max_length=32)
    accepting_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    replied_on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    fcr = models.PositiveIntegerField(default=0)
    pre_handled = models.PositiveIntegerField(default=0)
    second_handling = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    transferred = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    urged = models.PositiveIntegerField(default=0)
    supervised = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    called_back = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    repeat = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "region", "category_l1", "channel", "order_type", "accepting_unit"],
                name="quality_daily_stat_uniq",
            ),
            # NULLs are distinct in a unique index: one row per key without an
            # accepting unit too, so concurrent incremental updates cannot split a row.
            models.UniqueConstraint(
                fields=["day", "region", "category_l1", "channel", "order_type"],
                condition=models.Q(accepting_unit__isnull=True),
                name="quality_daily_stat_noacc_uniq",
            ),
        ]
        indexes = [models.Index(fields=["day", "region_path"], name="quality_daily_day_idx")]
        verbose_name = _("日统计")
        verbose_name_plural = _("日统计")

    def __str__(self) -> str:
        return f"{self.day} {self.region_id} {self.channel}: {self.created}"


class TicketContribution(models.Model):
    """What one ticket currently adds to DailyTicketStat: its row key and the measures
    it counts in (bits in ``rollup.BITS``). The incremental rollup subtracts this and
    adds the ticket's new contribution on every event.

    It is also the ticket's narrow fact row for reports (``quality.facts``): the other
    filter and grouping columns the indicators use and its durations in minutes, so a
    month's figures read ~100-byte rows with the per-ticket subqueries (handled,
    repeat) already answered, instead of the wide ticket rows."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    region = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255)
    category_l1 = models.CharField(max_length=32, blank=True)
    channel = models.CharField(max_length=16)
    order_type = models.CharField(max_length=32)
    accepting_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    measures = models.PositiveIntegerField(default=0)
    category_path = models.CharField(max_length=255, blank=True)
    owner_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_level = models.CharField(max_length=16, blank=True)
    # Minutes of created → resolved (working and natural time) and created → first
    # response (working), by the engine's definitions; NULL where the engine skips the
    # ticket (an end missing or before the start).
    handling_minutes = models.IntegerField(null=True, blank=True)
    handling_natural_minutes = models.IntegerField(null=True, blank=True)
    first_response_minutes = models.IntegerField(null=True, blank=True)
    suspended_minutes = models.IntegerField(default=0)
    # Rows written before the fact columns existed say 0: reports read the facts of a
    # period only when every ticket in it has a row of the current version.
    facts_version = models.PositiveSmallIntegerField(default=0)
    event_id = models.BigIntegerField(default=0, help_text="last ticket event applied")
    applied_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="quality_contrib_day_idx")]
        verbose_name = _("工单统计贡献")
        verbose_name_plural = _("工单统计贡献")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.day} {self.region_id}: {self.measures:#x}"

    @property
    def key(self) -> tuple:
        return (
            self.day,
            self.region_id,
            self.category_l1,
            self.channel,
            self.order_type,
            self.accepting_unit_id,
        )


class EvaluationSide(models.TextChoices):
    # 下游评上游: the handling unit rates the order it was dispatched.
    DISPATCH = "dispatch", _("派单质量")
    # 上游评下游: the accepting unit rates how the order was handled.
    HANDLING = "handling", _("处理质量")


class Evaluation(models.Model):
    """内部评价 (R15): one rating per side per ticket, by a unit of the ticket about
    the unit on the other side; the scores feed the scorecards."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="evaluations")
    side = models.CharField(_("评价类型"), max_length=16, choices=EvaluationSide.choices)
    rater_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价单位")
    )
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("被评价单位")
    )
    rated_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("被评价人"),
    )
    score = models.PositiveSmallIntegerField(_("评分"))
    complete = models.BooleanField(_("工单信息完整"), null=True, blank=True)
    correctly_classified = models.BooleanField(_("分类正确"), null=True, blank=True)
    comment = models.TextField(_("评价意见"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "side"], name="evaluation_once_per_side"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="evaluation_score_1_5"
            ),
        ]
        indexes = [
            models.Index(fields=["rated_unit", "side", "created_at"], name="evaluation_unit_idx"),
            models.Index(fields=["created_at"], name="evaluation_created_idx"),
        ]
        verbose_name = _("内部评价")
        verbose_name_plural = _("内部评价")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.side} {self.score}"


class Subject(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    STAFF = "staff", _("员工")


class ScoreSource(models.TextChoices):
    INDICATOR = "indicator", _("指标")
    DISPATCH_EVALUATION = "dispatch_evaluation", _("派单质量评价")
    HANDLING_EVALUATION = "handling_evaluation", _("处理质量评价")


class ScorecardItem(models.Model):
    """One weighted line of a scorecard (R27), kept as data so quality managers tune
    the weights: an indicator scored against its target, or an internal-evaluation
    average."""

    subject = models.CharField(_("考核对象"), max_length=16, choices=Subject.choices)
    source = models.CharField(_("来源"), max_length=24, choices=ScoreSource.choices)
    indicator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("指标"),
    )
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["subject", "-weight", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "source", "indicator"], name="scorecard_item_uniq"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="scorecard_weight_pos"),
        ]
        verbose_name = _("考核项")
        verbose_name_plural = _("考核项")

    def __str__(self) -> str:
        return f"{self.subject} {self.source} {self.indicator_id or ''} ×{self.weight}"
