from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class ProcessDefinition(models.Model):
    """One version of a BPMN 2.0 process: a draft until published, then never changed.
    Running tickets keep the version they started with; publishing a version makes it
    the active one (``is_active``) and deactivates the older ones."""

    key = models.CharField(_("流程标识"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=128)
    process_id = models.CharField(_("BPMN 流程 ID"), max_length=128)
    bpmn_xml = models.TextField(_("BPMN XML"))
    is_active = models.BooleanField(_("当前版本"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(_("说明"), max_length=255, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.PUBLISHED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发布人"),
    )

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="process_key_version_uniq")
        ]
        verbose_name = _("流程定义")
        verbose_name_plural = _("流程定义")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
