"""Process versions (流程版本): save a draft, publish it. Every way in (the 流程配置
page, the API, the shipped files) goes through ``validate``: the BPMN parser, then our
rules (processes.lint). Nothing invalid is stored, and a published version never
changes; running tickets finish on the version they started with."""

from __future__ import annotations

import re
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from lxml import etree

from complaintloop.core import audit, clock
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.org.models import Staff
from complaintloop.processes import engine, lint, selectors
from complaintloop.processes.models import ProcessDefinition, VersionStatus

BUILTIN_DIR = Path(__file__).resolve().parent / "bpmn"
# key -> shipped file; the BPMN process id equals the key.
BUILTIN = {
    "general_complaint": BUILTIN_DIR / "general_complaint.bpmn",
    "emergency_batch": BUILTIN_DIR / "emergency_batch.bpmn",
    "sp_complaint": BUILTIN_DIR / "sp_complaint.bpmn",
    "onsite_visit": BUILTIN_DIR / "onsite_visit.bpmn",
    "inquiry": BUILTIN_DIR / "inquiry.bpmn",
    "suggestion": BUILTIN_DIR / "suggestion.bpmn",
    "new_problem": BUILTIN_DIR / "new_problem.bpmn",
}
KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MAX_XML_BYTES = 2 * 1024 * 1024


def may_manage(actor: Staff | None) -> bool:
    """Designing and publishing processes: the process administrator (and sysadmin)."""
    return bool(actor and actor.can_manage_processes)


def _require_manager(actor: Staff | None) -> None:
    if not may_manage(actor):
        raise Forbidden("process.forbidden", _("仅流程管理员可修改流程"))


def validate(key: str, bpmn_xml: str) -> engine.ParsedProcess:
    """The parsed process, or Invalid: 422 with the reason, and for our rules one
    entry in ``fields`` per element at fault (its BPMN id)."""
    if not KEY.match(key or ""):
        raise Invalid(
            "process.bad_key",
            _("流程标识应为小写字母开头的字母、数字或下划线"),
            {"key": [_("格式不正确")]},
        )
    if not (bpmn_xml or "").strip():
        raise Invalid("process.invalid_bpmn", _("请提供 BPMN XML"), {"bpmn_xml": [_("必填")]})
    if len(bpmn_xml.encode("utf-8")) > MAX_XML_BYTES:
        raise Invalid(
            "process.invalid_bpmn", _("流程定义过大(上限 2 MB)"), {"bpmn_xml": [_("过大")]}
        )
    parsed = engine.parse(bpmn_xml, prefer=key)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    problems = lint.check(etree.fromstring(bpmn_xml.encode("utf-8"), parser=parser))
    if problems:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            fields.setdefault(problem.element_id, []).append(problem.message)
        raise Invalid(
            "process.lint_failed",
            _("流程校验未通过:%(first)s 等 %(n)s 处")
            % {"first": problems[0].message, "n": len(problems)}
            if len(problems) > 1
            else _("流程校验未通过:%(first)s") % {"first": problems[0].message},
            fields,
        )
    return parsed


def _next_version(key: str) -> int:
    # Lock the key's rows so two savers cannot both take max+1 (the unique constraint
    # catches the race on a key's very first version).
    versions = list(
        ProcessDefinition.objects.select_for_update()
        .filter(key=key)
        .values_list("version", flat=True)
    )
    return max(versions, default=0) + 1


@transaction.atomic
def save_draft(
    key: str, bpmn_xml: str, *, actor: Staff | None, name: str | None = None, comment: str = ""
) -> ProcessDefinition:
    """A new draft version of ``key`` (a new key starts at version 1). Validated like a
    publication, so a draft can always be published as it is."""
    _require_manager(actor)
    parsed = validate(key, bpmn_xml)
    return ProcessDefinition.objects.create(
        key=key,
        version=_next_version(key),
        name=(name or parsed.name)[:128],
        process_id=parsed.process_id,
        bpmn_xml=bpmn_xml,
        is_active=False,
        status=VersionStatus.DRAFT,
        comment=comment[:255],
        created_by=actor,
    )


def _make_current(definition: ProcessDefinition, actor: Staff | None) -> ProcessDefinition:
    ProcessDefinition.objects.filter(key=definition.key, is_active=True).exclude(
        pk=definition.pk
    ).update(is_active=False)
    definition.status = VersionStatus.PUBLISHED
    definition.is_active = True
    definition.published_at = clock.now()
    definition.published_by = actor
    definition.save(update_fields=["status", "is_active", "published_at", "published_by"])
    # New instances must start on the new version at once in this process, and in the
    # others within the selector's few seconds of cache.
    transaction.on_commit(selectors.active_definition_id.cache_clear)
    selectors.active_definition_id.cache_clear()
    return definition


@transaction.atomic
def publish_version(key: str, version: int, *, actor: Staff | None) -> ProcessDefinition:
    """Publish a draft: later tickets start on it, open ones stay on theirs."""
    _require_manager(actor)
    definition = (
        ProcessDefinition.objects.select_for_update().filter(key=key, version=version).first()
    )
    if definition is None:
        raise NotFound("process.version_not_found", _("流程版本不存在"))
    if definition.status == VersionStatus.PUBLISHED:
        raise Conflict("process.already_published", _("该版本已发布,不能再次发布"))
    validate(key, definition.bpmn_xml)  # the rules may have grown since it was saved
    audit.record(
        actor,
        "process.published",
        definition,
        label=f"{definition.key} v{definition.version}",
    )
    return _make_current(definition, actor)


@transaction.atomic
def publish(
    key: str,
    bpmn_xml: str,
    *,
    name: str | None = None,
    comment: str = "",
    actor: Staff | None = None,
) -> ProcessDefinition:
    """Save and publish in one step: the shipped processes, and scripts. Validated
    like every other way in."""
    parsed = validate(key, bpmn_xml)
    definition = ProcessDefinition.objects.create(
        key=key,
        version=_next_version(key),
        name=(name or parsed.name)[:128],
        process_id=parsed.process_id,
        bpmn_xml=bpmn_xml,
        is_active=False,
        status=VersionStatus.DRAFT,
        comment=comment[:255],
        created_by=actor,
    )
    return _make_current(definition, actor)


def load_builtin() -> list[ProcessDefinition]:
    """Publish the shipped processes whose key has no version yet (idempotent)."""
    published = []
    for key, path in BUILTIN.items():
        if not ProcessDefinition.objects.filter(key=key).exists():
            published.append(publish(key, path.read_text(encoding="utf-8"), comment="内置"))
    return published
