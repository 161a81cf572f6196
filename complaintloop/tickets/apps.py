from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "complaintloop.tickets"
    label = "tickets"
