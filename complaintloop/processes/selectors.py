"""Reads of published process definitions."""

from django.db.models import QuerySet

from complaintloop.processes.models import ProcessDefinition


def active_definition(key: str) -> ProcessDefinition | None:
    """The version of ``key`` new instances start on: the newest active one."""
    return ProcessDefinition.objects.filter(key=key, is_active=True).order_by("-version").first()


def definitions() -> QuerySet[ProcessDefinition]:
    """All versions of all processes, newest version first within each key."""
    return ProcessDefinition.objects.defer("bpmn_xml").order_by("key", "-version")
