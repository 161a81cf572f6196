from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "complaintloop.retention"
    label = "retention"
    verbose_name = _("数据保留")
