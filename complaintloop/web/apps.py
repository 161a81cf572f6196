from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "complaintloop.web"
    label = "web"
