"""Publishing process definitions (流程发布)."""

from pathlib import Path

from django.db import transaction

from complaintloop.processes import engine, selectors
from complaintloop.processes.models import ProcessDefinition

BUILTIN_DIR = Path(__file__).resolve().parent / "bpmn"
# key -> shipped file; the BPMN process id equals the key.
BUILTIN = {
    "general_complaint": BUILTIN_DIR / "general_complaint.bpmn",
    "emergency_batch": BUILTIN_DIR / "emergency_batch.bpmn",
}


@transaction.atomic
def publish(
    key: str, bpmn_xml: str, *, name: str | None = None, comment: str = ""
) -> ProcessDefinition:
    """Publish ``bpmn_xml`` as the next version of ``key`` and make it the active one.

    Instances already running stay on the version they started with."""
    # When the file holds several processes, the one whose id is the key wins.
    parsed = engine.parse(bpmn_xml, prefer=key)
    # Lock the key's rows so two publishers cannot both take max+1 (the unique
    # constraint catches the race on a key's very first version).
    versions = list(
        ProcessDefinition.objects.select_for_update()
        .filter(key=key)
        .values_list("version", flat=True)
    )
    ProcessDefinition.objects.filter(key=key, is_active=True).update(is_active=False)
    # New instances must start on the new version at once in this process.
    transaction.on_commit(selectors.active_definition_id.cache_clear)
    selectors.active_definition_id.cache_clear()
    return ProcessDefinition.objects.create(
        key=key,
        version=max(versions, default=0) + 1,
        name=name or parsed.name,
        process_id=parsed.process_id,
        bpmn_xml=bpmn_xml,
        is_active=True,
        comment=comment,
    )


def load_builtin() -> list[ProcessDefinition]:
    """Publish the shipped processes whose key has no version yet (idempotent)."""
    published = []
    for key, path in BUILTIN.items():
        if not ProcessDefinition.objects.filter(key=key).exists():
            published.append(publish(key, path.read_text(encoding="utf-8"), comment="内置"))
    return published
