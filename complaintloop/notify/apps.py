from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "complaintloop.notify"
    label = "notify"
