"""What the inbound channels keep: mailboxes to poll, the log of every inbound message,
offline units served by email, the SMS grammar, and voicemail/fax awaiting transcription."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaintloop.core.sealed import SealedCharField
from complaintloop.customers.models import Customer
from complaintloop.org.models import Unit
from complaintloop.taxonomy.models import OrderType


class Mailbox(models.Model):
    """An inbound mailbox polled over IMAP (IMAPS by default). New mail becomes tickets
    accepted at ``unit``; replies to notifications become comments."""

    name = models.CharField(_("名称"), max_length=64)
    host = models.CharField(
        _("IMAP 服务器"), max_length=255, blank=True, help_text=_("为空时只接收管道投递的邮件")
    )
    port = models.PositiveIntegerField(_("端口"), default=993)
    use_ssl = models.BooleanField(
        _("IMAPS(SSL)"), default=True, help_text=_("关闭时使用明文连接后 STARTTLS")
    )
    username = models.CharField(_("用户名"), max_length=255, blank=True)
    password = SealedCharField(_("密码"), blank=True, help_text=_("加密存储"))
    folder = models.CharField(_("文件夹"), max_length=255, default="INBOX")
    order_type = models.ForeignKey(
        OrderType, on_delete=models.PROTECT, related_name="+", verbose_name=_("默认工单类型")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受理单位"),
        help_text=_("邮件工单在此单位受理(地市或其客服中心)"),
    )
    auto_dispatch = models.BooleanField(
        _("自动派单"),
        default=False,
        help_text=_("关闭时新邮件工单留在受理单位待分类派单"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    last_polled_at = models.DateTimeField(_("最近收取"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("收件邮箱")
        verbose_name_plural = _("收件邮箱")

    def __str__(self) -> str:
        return f"{self.name} <{self.username}@{self.host}>" if self.host else self.name


class InboundChannel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    VOICEMAIL = "voicemail", _("语音留言")
    FAX = "fax", _("传真")


class Outcome(models.TextChoices):
    PROCESSING = "processing", _("处理中")
    CREATED = "created", _("已建单")
    COMMENTED = "commented", _("已追加备注")
    HANDLED = "handled", _("已回填处理结果")
    SURVEYED = "surveyed", _("已记录评价")
    ANSWERED = "answered", _("已回复格式说明")
    IGNORED_AUTOREPLY = "ignored_autoreply", _("自动回复/退信,已忽略")
    REFUSED = "refused", _("已拒绝")
    DUPLICATE = "duplicate", _("重复消息")
    ERROR = "error", _("出错")


class InboundMessage(models.Model):
    """One message that reached a channel, whatever became of it (R1, R4).

    ``dedupe_key`` (channel + Message-ID or gateway id) is unique on the first row
    only, so a redelivered message is logged as a duplicate and never handled twice."""

    channel = models.CharField(_("渠道"), max_length=16, choices=InboundChannel.choices)
    message_id = models.CharField(_("消息 ID"), max_length=255, db_index=True)
    dedupe_key = models.CharField(max_length=300, null=True, blank=True, unique=True)
    mailbox = models.ForeignKey(
        Mailbox,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("邮箱"),
    )
    sender = models.CharField(_("发送方"), max_length=255)
    subject = models.CharField(_("主题"), max_length=255, blank=True)
    outcome = models.CharField(_("结果"), max_length=24, choices=Outcome.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("工单"),
    )
    detail = models.TextField(_("说明"), blank=True)
    body = models.TextField(_("正文"), blank=True)
    html = models.TextField(_("HTML 正文(已净化)"), blank=True)
    size = models.PositiveIntegerField(_("大小(字节)"), default=0)
    received_at = models.DateTimeField(_("接收时间"), db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["outcome", "-received_at"], name="inbound_outcome_idx")]
        verbose_name = _("入站消息")
        verbose_name_plural = _("入站消息")

    def __str__(self) -> str:
        return f"{self.channel} {self.message_id[:40]} {self.outcome}"


class EmailIdentity(models.Model):
    """Which customer an email address belongs to: an indexed lookup the customer
    table (no index on email) cannot give."""

    address = models.CharField(_("邮箱地址"), max_length=254, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )

    class Meta:
        verbose_name = _("客户邮箱")
        verbose_name_plural = _("客户邮箱")

    def __str__(self) -> str:
        return self.address


class OfflineUnit(models.Model):
    """A unit without system access (R13): its work items go out by email to
    ``addresses``, and only replies from those addresses are taken."""

    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    addresses = models.TextField(
        _("邮箱地址"), help_text=_("每行一个;第一个为收件人,其余抄送。只接受这些地址的回复")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    # Mail leaves the system where no unmask can be audited (R33): the customer's number
    # is masked unless the unit has to call customers back and is trusted with it.
    full_phone = models.BooleanField(
        _("邮件中显示完整号码"),
        default=False,
        help_text=_("默认只显示脱敏号码;需要外呼客户的单位才开启"),
    )

    class Meta:
        verbose_name = _("离线处理单位")
        verbose_name_plural = _("离线处理单位")

    def __str__(self) -> str:
        return str(self.unit)

    @property
    def address_list(self) -> list[str]:
        parts = self.addresses.replace(",", "\n").replace(";", "\n").splitlines()
        return [a.strip().lower() for a in parts if a.strip()]


class OfflineDispatch(models.Model):
    """One work item mailed to an offline unit; unique on the outbox row so a
    redelivered event never mails twice."""

    outbox_id = models.BigIntegerField(unique=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    recipients = models.TextField()
    message_id = models.CharField(max_length=255)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("离线派单邮件")
        verbose_name_plural = _("离线派单邮件")

    def __str__(self) -> str:
        return self.message_id


class SmsAction(models.TextChoices):
    CLASSIFIED = "classified", _("按分类建单")
    FREE_TEXT = "free_text", _("未分类建单")
    SURVEY = "survey", _("满意度回复")
    HELP = "help", _("回复格式说明")


class SmsGrammar(models.Model):
    """One rule of the SMS grammar: the first active rule (by priority) whose regex
    matches the whole text decides. Named groups: ``category``, ``text``, ``answer``."""

    name = models.CharField(_("名称"), max_length=64)
    pattern = models.CharField(
        _("正则表达式"),
        max_length=255,
        help_text=_("匹配整条短信;命名分组 category、text、answer"),
    )
    action = models.CharField(_("含义"), max_length=16, choices=SmsAction.choices)
    order_type = models.ForeignKey(
        OrderType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("工单类型"),
        help_text=_("建单规则使用;为空时为投诉"),
    )
    answer = models.TextField(
        _("回复短信"), blank=True, help_text=_("格式说明规则回复的内容;为空时用默认说明")
    )
    priority = models.PositiveIntegerField(_("优先级"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("短信格式规则")
        verbose_name_plural = _("短信格式规则")

    def __str__(self) -> str:
        return self.name


class Transcription(models.Model):
    """A voicemail or fax ticket waiting for an agent to write down what it says and
    classify it (the 待转写 queue)."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="transcription",
        verbose_name=_("工单"),
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=InboundChannel.choices)
    caller = models.CharField(_("主叫号码"), max_length=32)
    called = models.CharField(_("被叫号码"), max_length=32, blank=True)
    received_at = models.DateTimeField(_("接收时间"))
    duration_seconds = models.PositiveIntegerField(_("时长(秒)"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    done_at = models.DateTimeField(_("转写时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转写人"),
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["ticket"], name="transcription_pending_idx", condition=Q(done_at=None)
            )
        ]
        verbose_name = _("待转写")
        verbose_name_plural = _("待转写")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.channel}"
