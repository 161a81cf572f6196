from django.db import migrations

# Row triggers do not fire on TRUNCATE: a statement-level trigger refuses it, unless the
# session opened the purge switch (complaintloop.purge = 'on', core 0004). SQLite has no
# TRUNCATE; its delete trigger already covers a DELETE without WHERE.
CREATE = """
CREATE TRIGGER ticket_event_no_truncate
    BEFORE TRUNCATE ON tickets_ticketevent
    FOR EACH STATEMENT EXECUTE FUNCTION complaintloop_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS ticket_event_no_truncate ON tickets_ticketevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0011_ticket_closed_at_idx"),
        ("core", "0004_append_only_guards"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
