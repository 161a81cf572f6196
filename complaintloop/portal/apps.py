from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "complaintloop.portal"
    label = "portal"
    verbose_name = "客户自助门户"
