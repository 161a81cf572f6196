"""Reads of published process definitions."""

from django.db.models import QuerySet

from complaintloop.core.cache import ttl_cached
from complaintloop.processes.models import ProcessDefinition


@ttl_cached(5)
def active_definition_id(key: str) -> int | None:
    """Cached id of the active version (intake asks on every ticket)."""
    definition = active_definition(key)
    return definition.pk if definition else None


def active_definition(key: str) -> ProcessDefinition | None:
    """The version of ``key`` new instances start on: the newest active one."""
    return ProcessDefinition.objects.filter(key=key, is_active=True).order_by("-version").first()


def definitions() -> QuerySet[ProcessDefinition]:
    """All versions of all processes, newest version first within each key."""
    return ProcessDefinition.objects.defer("bpmn_xml").order_by("key", "-version")
