from django.db import migrations

# SQLite has no TRUNCATE: a database flush (tests, `manage.py flush`) deletes rows, and
# the plain delete trigger made that impossible. Events stay undeletable while their
# ticket exists; a flush removes tickets_ticket first (tables go in name order).
GUARDED = (
    "CREATE TRIGGER ticket_event_no_delete BEFORE DELETE ON tickets_ticketevent "
    "WHEN EXISTS (SELECT 1 FROM tickets_ticket WHERE id = OLD.ticket_id) "
    "BEGIN SELECT RAISE(ABORT, 'tickets_ticketevent is append-only'); END;"
)
PLAIN = (
    "CREATE TRIGGER ticket_event_no_delete BEFORE DELETE ON tickets_ticketevent "
    "BEGIN SELECT RAISE(ABORT, 'tickets_ticketevent is append-only'); END;"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ticket_event_no_delete")
        schema_editor.execute(GUARDED)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ticket_event_no_delete")
        schema_editor.execute(PLAIN)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_accepting_scope_and_queue_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
