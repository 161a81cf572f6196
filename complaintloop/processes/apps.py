from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "complaintloop.processes"
    label = "processes"

    def ready(self) -> None:
        from complaintloop.core.audit import watch_configuration

        from .models import ProcessDefinition

        # Audited configuration (R33); the BPMN body is logged by size, not in full.
        watch_configuration(ProcessDefinition)
