from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintloop.customers.models import Customer, CustomerLevel
from complaintloop.org.models import Unit
from complaintloop.processes.models import ProcessDefinition
from complaintloop.routing.models import Urgency
from complaintloop.taxonomy.models import (
    Category,
    OrderType,
    Product,
    ServiceProvider,
    TimeBasisChoice,
)


class Status(models.TextChoices):
    NEW = "new", _("待派单")
    PENDING = "pending", _("待签收")
    IN_PROGRESS = "in_progress", _("处理中")
    SUSPENDED = "suspended", _("已挂起")
    REPLIED = "replied", _("待回访")
    CLOSED = "closed", _("已归档")


OPEN_STATUSES = (Status.NEW, Status.PENDING, Status.IN_PROGRESS, Status.SUSPENDED, Status.REPLIED)


class Channel(models.TextChoices):
    PHONE = "phone", _("热线电话")
    HALL = "hall", _("营业厅")
    ACCOUNT_MANAGER = "account_manager", _("客户经理")
    WEB = "web", _("网站自助")
    APP = "app", _("APP/微信")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    VOICEMAIL = "voicemail", _("语音留言")
    FAX = "fax", _("传真")
    PARTNER = "partner", _("合作系统")
    REGULATOR = "regulator", _("工信部/监管转办")


class SlaState(models.TextChoices):
    OK = "ok", _("正常")
    NEAR = "near", _("临近超时")
    BREACHED = "breached", _("已超时")


class TicketQuerySet(models.QuerySet):
    def visible_to(self, actor) -> "TicketQuerySet":
        """Data scope: tickets of the actor's region subtree, or with a work item
        assigned inside it (a province department sees what it was sent)."""
        path = actor.scope_path
        if not path:
            return self.none()
        if path == "/" or path.count("/") == 2:  # the root unit: the whole province
            return self
        # Its city's tickets, those taken by its units (a call from another city's
        # customer), and those sent to its units.
        assigned = WorkItem.objects.filter(ticket=OuterRef("pk"), unit_path__startswith=path)
        return self.filter(
            Q(region_path__startswith=path) | Q(accepting_path__startswith=path) | Exists(assigned)
        )

    def open(self) -> "TicketQuerySet":
        return self.exclude(status=Status.CLOSED)


class Ticket(models.Model):
    """The work order. Columns are denormalized from the process so queues and reports
    are plain indexed queries; ``version`` guards against lost updates."""

    number = models.CharField(_("工单号"), max_length=32, unique=True)
    order_type = models.ForeignKey(OrderType, on_delete=models.PROTECT, verbose_name=_("工单类型"))
    channel = models.CharField(_("受理渠道"), max_length=16, choices=Channel.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("客户")
    )
    customer_level = models.CharField(_("客户级别"), max_length=16, choices=CustomerLevel.choices)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("分类")
    )
    category_path = models.CharField(max_length=255, blank=True, db_index=True)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("产品")
    )
    sp = models.ForeignKey(
        ServiceProvider, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("SP")
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    region = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("地市")
    )
    region_path = models.CharField(max_length=255)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("问题描述"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NEW)
    current_step = models.CharField(_("当前环节"), max_length=64, blank=True)
    owner_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("当前处理单位"),
    )
    owner_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("当前处理人"),
    )
    accepting_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受理单位"),
    )
    accepting_path = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("受理时间"))
    updated_at = models.DateTimeField()
    time_basis = models.CharField(
        max_length=16, choices=TimeBasisChoice.choices, default=TimeBasisChoice.WORKING
    )
    time_limit_minutes = models.PositiveIntegerField(_("处理时限(分钟)"))
    first_response_due_at = models.DateTimeField(_("首次响应时限"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("首次响应"), null=True, blank=True)
    first_response_breached = models.BooleanField(_("首次响应超时"), default=False)
    due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_minutes = models.PositiveIntegerField(default=0)
    resolved_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    sla_state = models.CharField(max_length=16, choices=SlaState.choices, default=SlaState.OK)
    urge_count = models.PositiveIntegerField(_("催办次数"), default=0)
    return_count = models.PositiveIntegerField(_("回退次数"), default=0)
    transfer_count = models.PositiveIntegerField(_("转派次数"), default=0)
    reopen_count = models.PositiveIntegerField(_("重启次数"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("升级级别"), default=0)
    is_supervised = models.BooleanField(pgettext_lazy("flag", "督办"), default=False)
    is_fcr = models.BooleanField(_("首问解决"), default=False)
    is_pre_handled = models.BooleanField(_("预处理"), default=False)
    second_handling = models.BooleanField(_("二次处理"), default=False)
    # The outage this complaint is about (incidents app); it waits on the incident.
    incident_number = models.CharField(_("重大故障"), max_length=32, blank=True, db_index=True)
    satisfaction = models.CharField(_("满意度"), max_length=16, blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="ticket_idempotency_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["region_path", "-id"], name="ticket_region_id_idx"),
            models.Index(fields=["status", "-id"], name="ticket_status_id_idx"),
            models.Index(fields=["owner_unit", "status", "-id"], name="ticket_owner_status_idx"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_idx"),
            models.Index(fields=["created_at"], name="ticket_created_idx"),
            models.Index(fields=["due_at"], name="ticket_due_idx", condition=~Q(status="closed")),
            # Open tickets newest first: the default of every queue (1M-ticket bench).
            models.Index(fields=["-id"], name="ticket_open_id_idx", condition=~Q(status="closed")),
            # Closed per day (the console's backlog chart) without scanning every ticket.
            models.Index(
                fields=["closed_at"],
                name="ticket_closed_at_idx",
                condition=Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class EventKind(models.TextChoices):
    CREATED = "created", _("受理")
    PRE_HANDLED = "pre_handled", _("预处理")
    DISPATCHED = "dispatched", _("派单")
    ACCEPTED = "accepted", _("签收")
    TRANSFERRED = "transferred", _("转派")
    RETURNED = "returned", _("回退")
    ASSIST_REQUESTED = "assist_requested", _("发起协办")
    ASSIST_COMPLETED = "assist_completed", _("协办完成")
    SUSPENDED = "suspended", pgettext_lazy("event", "挂起")
    RESUMED = "resumed", _("解挂")
    URGED = "urged", _("催办")
    SUPERVISED = "supervised", pgettext_lazy("event", "督办")
    ESCALATED = "escalated", _("升级")
    REPLIED = "replied", _("回复")
    CALLED_BACK = "called_back", _("回访")
    CLOSED = "closed", _("归档")
    REOPENED = "reopened", _("重启")
    MERGED = "merged", _("合并")
    MERGED_IN = "merged_in", _("被合并")
    LINKED = "linked", _("关联")
    PARENT_SET = "parent_set", _("设置主工单")
    COMMENTED = "commented", _("备注")
    ASSIGNED = "assigned", _("分配")
    STEP_COMPLETED = "step_completed", _("环节办结")
    INCIDENT_ATTACHED = "incident_attached", _("关联重大故障")
    INCIDENT_DETACHED = "incident_detached", _("解除重大故障关联")
    SLA_NEAR = "sla_near", _("临近超时预警")
    SLA_BREACHED = "sla_breached", _("超时")
    FIRST_RESPONSE_BREACHED = "first_response_breached", _("首次响应超时")


class TicketEvent(models.Model):
    """One operation on a ticket. Append-only: the model refuses updates and deletes,
    and on PostgreSQL a trigger refuses them too (migration 0002)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    comment = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["ticket_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "seq"], name="event_ticket_seq_uniq")
        ]
        verbose_name = _("工单轨迹")
        verbose_name_plural = _("工单轨迹")

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        # A row built elsewhere (the admin's add form, a shell) could carry any seq, at
        # and actor: a forged trace. Only append() may insert, nothing may update.
        if not getattr(self, "_appending", False) or self.pk is not None:
            raise PermissionError("ticket events are append-only and written by services")
        super().save(*args, **kwargs)
        self._appending = False

    def delete(self, *args, **kwargs):
        raise PermissionError("ticket events are append-only")

    @classmethod
    def append(cls, **fields) -> "TicketEvent":
        """Insert one event; only ``tickets.services.record`` calls this, so seq, at and
        actor always come from the service that performed the operation (R9)."""
        event = cls(**fields)
        event._appending = True
        event.save(force_insert=True)
        return event


class WorkItemKind(models.TextChoices):
    MAIN = "main", _("主办")
    ASSIST = "assist", _("协办")
    CALLBACK = "callback", _("回访")


class WorkItemStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class WorkItemQuerySet(models.QuerySet):
    def open(self) -> "WorkItemQuerySet":
        return self.filter(status=WorkItemStatus.OPEN)

    def visible_to(self, actor) -> "WorkItemQuerySet":
        path = actor.scope_path
        if not path:
            return self.none()
        if path == "/" or path.count("/") == 2:
            return self
        return self.filter(Q(unit_path__startswith=path) | Q(ticket__region_path__startswith=path))


class WorkItem(models.Model):
    """An open human task on a ticket (main handling, each assistance request, the
    callback); this is what queues list."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="work_items")
    kind = models.CharField(max_length=16, choices=WorkItemKind.choices)
    step = models.CharField(_("环节"), max_length=64, blank=True)
    status = models.CharField(
        max_length=16, choices=WorkItemStatus.choices, default=WorkItemStatus.OPEN
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    sla_state = models.CharField(max_length=16, choices=SlaState.choices, default=SlaState.OK)
    request = models.TextField(blank=True)
    result = models.TextField(blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["unit_path", "due_at"],
                name="workitem_open_unit_idx",
                condition=Q(status="open"),
            ),
            models.Index(
                fields=["staff", "due_at"],
                name="workitem_open_staff_idx",
                condition=Q(status="open"),
            ),
            models.Index(
                fields=["due_at"], name="workitem_open_due_idx", condition=Q(status="open")
            ),
            models.Index(
                fields=["warn_at"], name="workitem_open_warn_idx", condition=Q(status="open")
            ),
            models.Index(
                fields=["unit_path", "ticket"],
                name="workitem_unit_prefix_idx",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]
        verbose_name = _("待办")
        verbose_name_plural = _("待办")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}:{self.unit_id}"


class LinkKind(models.TextChoices):
    RELATED = "related", _("相关")
    DUPLICATE = "duplicate", _("重复")


class TicketLink(models.Model):
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=LinkKind.choices, default=LinkKind.RELATED)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="ticket_link_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}->{self.target_id} {self.kind}"


class TicketProcess(models.Model):
    """The SpiffWorkflow state of a ticket's process instance, loaded only when an
    operation advances the process and pruned after close."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="process"
    )
    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT)
    state = models.TextField(blank=True)
    finished = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.ticket_id} v{self.definition_id}"


class TicketNumberCounter(models.Model):
    """Per-day sequence behind human-readable numbers (TS + yyyymmdd + 7 digits)."""

    day = models.CharField(max_length=8, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}:{self.last}"


class TicketSearchDoc(models.Model):
    """The ticket's searchable words: jieba tokens of title, description and the
    comments in its trace, space-separated. PostgreSQL searches them with a GIN index on
    ``to_tsvector('simple', tokens)``; SQLite mirrors them into an FTS5 table."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="search_doc"
    )
    tokens = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.tokens[:40]}"
