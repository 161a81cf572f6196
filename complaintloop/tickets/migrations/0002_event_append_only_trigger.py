from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ticket_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tickets_ticketevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ticket_event_append_only
    BEFORE UPDATE OR DELETE ON tickets_ticketevent
    FOR EACH ROW EXECUTE FUNCTION ticket_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS ticket_event_append_only ON tickets_ticketevent;
DROP FUNCTION IF EXISTS ticket_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the body's RAISE format uses '%', which must not be read as a
        # query placeholder by psycopg.
        schema_editor.execute(CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        # The embedded database refuses edits too, so both backends behave alike.
        schema_editor.execute(
            "CREATE TRIGGER ticket_event_no_update BEFORE UPDATE ON tickets_ticketevent "
            "BEGIN SELECT RAISE(ABORT, 'tickets_ticketevent is append-only'); END;"
        )
        schema_editor.execute(
            "CREATE TRIGGER ticket_event_no_delete BEFORE DELETE ON tickets_ticketevent "
            "BEGIN SELECT RAISE(ABORT, 'tickets_ticketevent is append-only'); END;"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ticket_event_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS ticket_event_no_delete")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
