"""Load the shipped notification templates (every event, channel and language)."""

from django.db import migrations

from complaintloop.notify import defaults


def load(apps, schema_editor):
    Template = apps.get_model("notify", "NotificationTemplate")
    for row in defaults.rows():
        key = {k: row[k] for k in ("event", "channel", "language")}
        Template.objects.get_or_create(**key, defaults=row)


def unload(apps, schema_editor):
    Template = apps.get_model("notify", "NotificationTemplate")
    for row in defaults.rows():
        Template.objects.filter(
            event=row["event"], channel=row["channel"], language=row["language"], body=row["body"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_templates_preferences_outbound")]

    operations = [migrations.RunPython(load, unload)]
