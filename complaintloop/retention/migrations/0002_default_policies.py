from django.db import migrations

from complaintloop.retention.defaults import BASIS, DEFAULTS


def forwards(apps, schema_editor):
    Policy = apps.get_model("retention", "RetentionPolicy")
    for data_class, keep, unit in DEFAULTS:
        Policy.objects.get_or_create(
            data_class=data_class, defaults={"keep": keep, "unit": unit, "basis": BASIS}
        )


def backwards(apps, schema_editor):
    Policy = apps.get_model("retention", "RetentionPolicy")
    Policy.objects.filter(data_class__in=[d for d, _k, _u in DEFAULTS], updated_at=None).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
