"""Ship the built-in processes as version 1 of their keys.

Reads the .bpmn files next to the app and uses the historical model, so later changes
to services.publish do not change what this migration did."""

from pathlib import Path

from django.db import migrations

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
BUILTIN = {
    # key: (BPMN process id, name)
    "general_complaint": ("general_complaint", "一般投诉流程"),
    "emergency_batch": ("emergency_batch", "紧急/批量投诉流程"),
}


def load_builtin(apps, schema_editor):
    ProcessDefinition = apps.get_model("processes", "ProcessDefinition")
    for key, (process_id, name) in BUILTIN.items():
        if ProcessDefinition.objects.filter(key=key).exists():
            continue
        ProcessDefinition.objects.create(
            key=key,
            version=1,
            name=name,
            process_id=process_id,
            bpmn_xml=(BPMN_DIR / f"{key}.bpmn").read_text(encoding="utf-8"),
            is_active=True,
            comment="内置",
        )


def unload_builtin(apps, schema_editor):
    ProcessDefinition = apps.get_model("processes", "ProcessDefinition")
    ProcessDefinition.objects.filter(key__in=list(BUILTIN), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("processes", "0001_initial")]

    operations = [migrations.RunPython(load_builtin, unload_builtin)]
