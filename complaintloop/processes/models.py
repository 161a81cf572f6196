from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessDefinition(models.Model):
    """One published version of a BPMN 2.0 process. Running tickets keep the version
    they started with; publishing makes a new row and deactivates older ones."""

    key = models.CharField(_("流程标识"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=128)
    process_id = models.CharField(_("BPMN 流程 ID"), max_length=128)
    bpmn_xml = models.TextField(_("BPMN XML"))
    is_active = models.BooleanField(_("当前版本"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="process_key_version_uniq")
        ]
        verbose_name = _("流程定义")
        verbose_name_plural = _("流程定义")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
