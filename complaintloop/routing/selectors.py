"""Reads of decision tables: the version in use (compiled once per version, since a
published version never changes), the catalogue and the versions of a key."""

from __future__ import annotations

import threading

from complaintloop.core.cache import ttl_cached

from . import dmn
from .models import DecisionTable, TableStatus

_compiled: dict[tuple[str, int], dmn.Table] = {}
_lock = threading.Lock()


@ttl_cached(5)
def published_version(key: str) -> int | None:
    """The version new tickets use (intake asks on every ticket; a publication shows in
    every process within seconds, at once in the publishing one)."""
    return (
        DecisionTable.objects.filter(key=key, status=TableStatus.PUBLISHED)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )


def compiled(key: str, version: int) -> dmn.Table | None:
    found = _compiled.get((key, version))
    if found is not None:
        return found
    row = version_row(key, version)
    if row is None:
        return None
    # Stored versions were checked when saved; output checks need not run again.
    table = dmn.parse(row.dmn_xml, key=key)
    table = dmn.Table(
        key=table.key,
        name=row.name,
        hit_policy=table.hit_policy,
        inputs=table.inputs,
        outputs=table.outputs,
        rules=table.rules,
        version=row.version,
    )
    with _lock:
        _compiled[(key, version)] = table
    return table


def in_use(key: str) -> dmn.Table | None:
    version = published_version(key)
    return compiled(key, version) if version is not None else None


def version_row(key: str, version: int) -> DecisionTable | None:
    return DecisionTable.objects.filter(key=key, version=version).first()


def versions(key: str) -> list[DecisionTable]:
    return list(
        DecisionTable.objects.filter(key=key)
        .defer("dmn_xml")
        .select_related("created_by", "published_by")
        .order_by("-version")
    )


def catalogue() -> list[dict]:
    """One entry per table key: name, version in use, newest draft, version count."""
    found: dict[str, dict] = {}
    rows = DecisionTable.objects.order_by("key", "-version").values(
        "key", "name", "version", "status", "hit_policy", "rule_count"
    )
    for row in rows:
        entry = found.setdefault(
            row["key"],
            {
                "key": row["key"],
                "name": row["name"],
                "hit_policy": row["hit_policy"],
                "rules": row["rule_count"],
                "published_version": None,
                "draft_version": None,
                "versions": 0,
            },
        )
        entry["versions"] += 1
        if row["status"] == TableStatus.PUBLISHED and entry["published_version"] is None:
            entry["published_version"] = row["version"]
            entry["hit_policy"], entry["rules"] = row["hit_policy"], row["rule_count"]
        if row["status"] == TableStatus.DRAFT and entry["draft_version"] is None:
            entry["draft_version"] = row["version"]
    return list(found.values())


def clear_cache() -> None:
    # Compiled versions go too: a publication rolled back may have compiled a version
    # number that the next publication reuses.
    published_version.cache_clear()  # type: ignore[attr-defined]
    with _lock:
        _compiled.clear()
