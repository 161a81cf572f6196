from django.db import migrations

# Neither the requirements (R33 asks for "retention policy", no periods) nor the seed
# documents name a period, so these are starting values for the operator's privacy
# officer to confirm on /retention/: files and customer data three years after the
# ticket is closed (long enough for a repeat complaint, a regulator's review and yearly
# comparisons), recordings 180 days (they are transcribed into the ticket at intake).
DEFAULTS = [
    ("attachments", 3, "years"),
    ("recordings", 180, "days"),
    ("customer_pii", 3, "years"),
]
BASIS = "默认值(R33 未规定期限),请按《个人信息保护法》第十九条“实现处理目的所必要的最短时间”和本单位制度确认"


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
