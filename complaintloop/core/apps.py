from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "complaintloop.core"
    label = "core"

    def ready(self) -> None:
        from . import signals  # noqa: F401 (registers the calendar receivers)
        from .audit import watch_configuration
        from .models import WorkCalendarDay

        watch_configuration(WorkCalendarDay)  # audited configuration (R33)


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """The Django admin (管理), open to the roles whose job needs it (org.roles)."""

    default = False
    default_site = "complaintloop.core.admin_site.ConsoleAdminSite"
