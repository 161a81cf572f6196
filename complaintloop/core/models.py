from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkCalendarDay(models.Model):
    """One day of the working calendar. Days not in the table follow the weekend rule
    (Monday to Friday work); rows record holidays and 调休 make-up working days."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=32, default="chinesecalendar")

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self) -> str:
        return f"{self.date} {'work' if self.is_workday else 'off'} {self.note}"


class Outbox(models.Model):
    """A side effect written in the same transaction as the state change it follows.

    Delivery claims a row (``claimed_at``) and marks it ``delivered_at`` when every
    consumer has taken it; a claim older than the lease is taken again, so a killed
    worker loses nothing (at-least-once; consumers dedupe on the outbox id)."""

    topic = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_pending_idx",
                condition=models.Q(delivered_at__isnull=True),
            )
        ]
        verbose_name = _("发件箱")
        verbose_name_plural = _("发件箱")

    def __str__(self) -> str:
        return f"{self.topic}#{self.pk}"


class AuditLog(models.Model):
    """Who looked at or changed what: unmasked PII views, exports, configuration changes
    (R33). Append-only: the model refuses updates and deletes, and so does the database
    (core 0004). Staff who acted are deactivated, not deleted (PROTECT)."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")
