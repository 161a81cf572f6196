from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "complaintloop.core"
    label = "core"
