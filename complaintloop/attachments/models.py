from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def upload_to(instance: "Attachment", filename: str) -> str:
    # One folder per ticket, so an order's files can be found (and archived) together.
    return f"attachments/{instance.ticket.number}/{filename}"


class Attachment(models.Model):
    """A file filed with a ticket (recording, photo, bill, letter); the bytes live in
    Django's default storage, the row says what and who."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("工单"),
    )
    file = models.FileField(_("文件"), upload_to=upload_to, max_length=255)
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("类型"), max_length=128)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["ticket_id", "id"]
        indexes = [models.Index(fields=["ticket", "id"], name="attachment_ticket_idx")]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name
