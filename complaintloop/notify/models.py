from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("邮件")
    IN_APP = "in_app", _("站内通知")


class Language(models.TextChoices):
    ZH = "zh-hans", _("简体中文")
    EN = "en", _("English")


class SendStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    HELD = "held", _("免打扰暂缓")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class NotificationTemplate(models.Model):
    """The text of one event on one channel in one language, rendered by Django's
    template engine from a restricted context (see ``rendering``). Deleting a row puts
    the shipped default back in force; to stop a message, clear ``is_active``."""

    event = models.CharField(_("事件"), max_length=48)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("语言"), max_length=8, choices=Language.choices)
    subject = models.CharField(
        _("主题/标题"), max_length=200, blank=True, help_text=_("邮件主题或站内通知标题")
    )
    body = models.TextField(_("正文"))
    is_urgent = models.BooleanField(
        _("紧急"), default=False, help_text=_("紧急模板的短信不受免打扰时段限制")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "language"], name="notify_template_once"
            )
        ]
        verbose_name = _("通知模板")
        verbose_name_plural = _("通知模板")

    def __str__(self) -> str:
        return f"{self.event} / {self.channel} / {self.language}"

    def clean(self) -> None:
        from .rendering import validate_template

        validate_template(self.event, self.channel, self.subject, self.body)


class CustomerPreference(models.Model):
    """How a customer wants to hear from us: language, and whether email is welcome."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="notify_preference"
    )
    language = models.CharField(
        _("语言"), max_length=8, choices=Language.choices, default=Language.ZH
    )
    sms_enabled = models.BooleanField(_("接收短信"), default=True)
    email_enabled = models.BooleanField(_("接收邮件"), default=True)

    class Meta:
        verbose_name = _("客户通知偏好")
        verbose_name_plural = _("客户通知偏好")

    def __str__(self) -> str:
        return str(self.customer)


class StaffAlertSetting(models.Model):
    """A staff member's alert channels beyond the in-app notification."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_setting"
    )
    language = models.CharField(
        _("语言"), max_length=8, choices=Language.choices, default=Language.ZH
    )
    by_sms = models.BooleanField(_("短信提醒"), default=False)
    by_email = models.BooleanField(_("邮件提醒"), default=False)

    class Meta:
        verbose_name = _("员工提醒设置")
        verbose_name_plural = _("员工提醒设置")

    def __str__(self) -> str:
        return str(self.staff)


class Notification(models.Model):
    """An in-app notification. ``(outbox_id, recipient)`` is unique so a redelivered
    outbox row never notifies twice."""

    outbox_id = models.BigIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket_number = models.CharField(max_length=32, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["outbox_id", "recipient"], name="notification_once")
        ]
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")

    def __str__(self) -> str:
        return self.title


class OutboundMessage(models.Model):
    """A message on its way out. A worker claims a due row (``claimed_at``), sends it
    and marks it sent; a claim older than the lease is taken again, so the receiver may
    see a message twice and dedupes on the outbox id every message carries."""

    outbox_id = models.BigIntegerField()
    event = models.CharField(max_length=48, blank=True)
    language = models.CharField(max_length=8, default=Language.ZH)
    status = models.CharField(
        _("状态"), max_length=8, choices=SendStatus.choices, default=SendStatus.PENDING
    )
    next_attempt_at = models.DateTimeField(_("下次发送"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        abstract = True


class SmsMessage(OutboundMessage):
    """An SMS for the gateway (the embedded gateway only logs it)."""

    phone = models.CharField(max_length=20)
    text = models.TextField()
    gateway = models.CharField(max_length=32, default="log")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["outbox_id", "phone"], name="sms_once")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="sms_due_idx",
                condition=models.Q(status__in=["pending", "held"]),
            )
        ]
        verbose_name = _("短信")
        verbose_name_plural = _("短信")

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:20]}"


class EmailMessage(OutboundMessage):
    """An email for the SMTP backend; ``message_id`` is derived from the outbox id and
    the address, so a resend after a crash carries the same Message-ID."""

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    message_id = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["outbox_id", "to"], name="email_once")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="email_due_idx",
                condition=models.Q(status__in=["pending", "held"]),
            )
        ]
        verbose_name = _("邮件")
        verbose_name_plural = _("邮件")

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
