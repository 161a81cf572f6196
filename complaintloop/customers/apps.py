from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "complaintloop.customers"
    label = "customers"
