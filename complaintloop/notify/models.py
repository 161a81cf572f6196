from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class SmsMessage(models.Model):
    """An SMS handed to the gateway (the embedded gateway only logs it)."""

    outbox_id = models.BigIntegerField()
    phone = models.CharField(max_length=20)
    text = models.TextField()
    gateway = models.CharField(max_length=32, default="log")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["outbox_id", "phone"], name="sms_once")]
        verbose_name = _("短信")
        verbose_name_plural = _("短信")

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:20]}"
