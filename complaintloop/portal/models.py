"""What the customer portal keeps: rate-limit hits and SMS verification codes.

Both live in the database (not the cache) so limits hold across web processes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateKind(models.TextChoices):
    SUBMIT_IP = "submit_ip", _("提交(按IP)")
    SUBMIT_PHONE = "submit_phone", _("提交(按手机号)")
    CODE_IP = "code_ip", _("验证码(按IP)")
    CODE_PHONE = "code_phone", _("验证码(按手机号)")


class PortalRateEvent(models.Model):
    """One rate-limited action; a limit is a count of rows in a sliding window."""

    kind = models.CharField(max_length=16, choices=RateKind.choices)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"], name="portal_rate_idx")]
        verbose_name = _("门户限流记录")
        verbose_name_plural = _("门户限流记录")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}@{self.at:%Y-%m-%d %H:%M}"


class PortalVerification(models.Model):
    """A 6-digit code sent by SMS to prove the customer owns the ticket's phone.
    Only an HMAC of the code is stored; five wrong tries lock it."""

    ticket_number = models.CharField(max_length=32)
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["ticket_number", "phone", "-created_at"], name="portal_verify_idx")
        ]
        verbose_name = _("门户验证码")
        verbose_name_plural = _("门户验证码")

    def __str__(self) -> str:
        return f"{self.ticket_number} {self.created_at:%Y-%m-%d %H:%M}"
