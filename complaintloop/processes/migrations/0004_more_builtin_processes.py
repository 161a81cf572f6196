"""Ship the SP complaint (with the SP's reply step), on-site visit (appointment first),
inquiry (answer and done), suggestion/praise (short path) and new-problem (root-cause
analysis by quality management before the callback) processes as version 1, published. Reads the .bpmn files next to the app with the historical model."""

from pathlib import Path

from django.db import migrations
from django.utils import timezone

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
BUILTIN = {
    "sp_complaint": "SP投诉流程",
    "onsite_visit": "上门服务流程",
    "inquiry": "咨询答复流程",
    "suggestion": "建议与表扬流程",
    "new_problem": "新问题流程",
}


def load(apps, schema_editor):
    ProcessDefinition = apps.get_model("processes", "ProcessDefinition")
    for key, name in BUILTIN.items():
        if ProcessDefinition.objects.filter(key=key).exists():
            continue
        ProcessDefinition.objects.create(
            key=key,
            version=1,
            name=name,
            process_id=key,
            bpmn_xml=(BPMN_DIR / f"{key}.bpmn").read_text(encoding="utf-8"),
            is_active=True,
            status="published",
            published_at=timezone.now(),
            comment="内置",
        )


def unload(apps, schema_editor):
    ProcessDefinition = apps.get_model("processes", "ProcessDefinition")
    ProcessDefinition.objects.filter(key__in=list(BUILTIN), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("processes", "0003_version_status")]

    operations = [migrations.RunPython(load, unload)]
