from django.db import migrations

# SQLite has no TRUNCATE and no session settings: a flush deletes rows, and the table
# order of a flush is not guaranteed. Events are undeletable unless a row sits in
# ticket_event_purge, which only a deliberate purge (the test suite's flush) inserts.
GUARDED = (
    "CREATE TRIGGER ticket_event_no_delete BEFORE DELETE ON tickets_ticketevent "
    "WHEN NOT EXISTS (SELECT 1 FROM ticket_event_purge) "
    "BEGIN SELECT RAISE(ABORT, 'tickets_ticketevent is append-only'); END;"
)
PREVIOUS = (
    "CREATE TRIGGER ticket_event_no_delete BEFORE DELETE ON tickets_ticketevent "
    "WHEN EXISTS (SELECT 1 FROM tickets_ticket WHERE id = OLD.ticket_id) "
    "BEGIN SELECT RAISE(ABORT, 'tickets_ticketevent is append-only'); END;"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("CREATE TABLE IF NOT EXISTS ticket_event_purge (since TEXT)")
        schema_editor.execute("DROP TRIGGER IF EXISTS ticket_event_no_delete")
        schema_editor.execute(GUARDED)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ticket_event_no_delete")
        schema_editor.execute(PREVIOUS)
        schema_editor.execute("DROP TABLE IF EXISTS ticket_event_purge")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_sqlite_event_delete_guard")]
    operations = [migrations.RunPython(forwards, backwards)]
