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


def catalogue() -> list[dict]:
    """One entry per process key: its name (of the newest version), the published
    version new tickets start on, the newest draft, and how many versions it has."""
    rows = list(
        ProcessDefinition.objects.order_by("key", "-version").values(
            "key", "name", "version", "status", "is_active"
        )
    )
    found: dict[str, dict] = {}
    for row in rows:
        entry = found.setdefault(
            row["key"],
            {
                "key": row["key"],
                "name": row["name"],
                "published_version": None,
                "draft_version": None,
                "versions": 0,
            },
        )
        entry["versions"] += 1
        if row["is_active"] and entry["published_version"] is None:
            entry["published_version"] = row["version"]
        if row["status"] == "draft" and entry["draft_version"] is None:
            entry["draft_version"] = row["version"]
    return list(found.values())


def versions(key: str) -> list[ProcessDefinition]:
    return list(
        ProcessDefinition.objects.filter(key=key)
        .defer("bpmn_xml")
        .select_related("created_by", "published_by")
        .order_by("-version")
    )


def version(key: str, number: int) -> ProcessDefinition | None:
    return (
        ProcessDefinition.objects.filter(key=key, version=number)
        .select_related("created_by", "published_by")
        .first()
    )
