from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "complaintloop.processes"
    label = "processes"
