import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Event types a subscription may name; "ticket.*" and "*" match families.
TOPIC_PREFIX = {"ticket.event": "ticket", "insights.notice": "insights.notice"}


def new_secret() -> str:
    return secrets.token_hex(32)


class Subscription(models.Model):
    """An external system that wants some events POSTed to it, signed with ``secret``."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("推送地址"), max_length=500)
    secret = models.CharField(
        _("签名密钥"), max_length=128, default=new_secret, help_text=_("HMAC-SHA256 签名密钥")
    )
    event_types = models.JSONField(
        _("事件类型"),
        default=list,
        help_text=_("如 ticket.created、ticket.*、insights.notice.*;* 表示全部事件"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("负责人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .services import validate_event_types
        from .targets import Blocked, check_url

        if not self.url.startswith(("http://", "https://")):
            raise ValidationError({"url": _("推送地址必须以 http:// 或 https:// 开头")})
        try:
            check_url(self.url, unresolvable_ok=True)
        except Blocked as exc:
            raise ValidationError({"url": str(exc)}) from exc
        validate_event_types(self.event_types)

    def matches(self, event_type: str) -> bool:
        for pattern in self.event_types:
            if pattern == "*" or pattern == event_type:
                return True
            if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
                return True
        return False


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待推送")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("死信")


class Delivery(models.Model):
    """One event for one subscription. ``body`` is the exact bytes signed and sent, so
    a retry or a manual redelivery sends the same payload with the same event id."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("订阅")
    )
    outbox_id = models.BigIntegerField(_("事件 ID"))
    event_type = models.CharField(_("事件类型"), max_length=64)
    body = models.TextField()
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "outbox_id"], name="webhook_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_due_idx",
                condition=models.Q(status="pending"),
            ),
        ]
        verbose_name = _("Webhook 推送记录")
        verbose_name_plural = _("Webhook 推送记录")

    def __str__(self) -> str:
        return f"{self.event_type} #{self.outbox_id} → {self.subscription}"


class DeadLetter(Delivery):
    """The deliveries that used up every attempt (a list of its own in the admin)."""

    class Meta:
        proxy = True
        verbose_name = _("Webhook 死信")
        verbose_name_plural = _("Webhook 死信")
