from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "complaintloop.org"
    label = "org"
