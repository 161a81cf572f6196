from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "complaintloop.incidents"
    label = "incidents"
    verbose_name = "重大故障"

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration
        from complaintloop.tickets.services import incident as ticket_incident

        from . import services
        from .models import Incident

        watch_configuration(Incident)  # declared scope and status are audited (R33)
        if not any(isinstance(m, services.IntakeMatcher) for m in ticket_incident.MATCHERS):
            ticket_incident.MATCHERS.append(services.IntakeMatcher())
