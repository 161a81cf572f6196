from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS ticket_number_seq")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS ticket_number_seq")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_event_append_only_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]
