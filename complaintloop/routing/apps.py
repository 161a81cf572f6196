from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "complaintloop.routing"
    label = "routing"
