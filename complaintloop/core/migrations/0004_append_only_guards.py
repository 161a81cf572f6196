from django.db import migrations

# The audit log (unmask, exports, configuration changes) is append-only like the ticket
# trace: no UPDATE, DELETE or TRUNCATE. A deliberate purge (the test suite's flush, a
# documented maintenance step) opens the switch: on PostgreSQL the session setting
# complaintloop.purge = 'on', on SQLite a row in core_purge_switch.
PG_CREATE = """
CREATE OR REPLACE FUNCTION complaintloop_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('complaintloop.purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION complaintloop_append_only();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON core_auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION complaintloop_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS audit_log_append_only ON core_auditlog;
DROP TRIGGER IF EXISTS audit_log_no_truncate ON core_auditlog;
DROP FUNCTION IF EXISTS complaintloop_append_only();
"""
SQLITE_CREATE = (
    "CREATE TABLE IF NOT EXISTS core_purge_switch (since TEXT)",
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON core_auditlog "
    "BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END;",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON core_auditlog "
    "WHEN NOT EXISTS (SELECT 1 FROM core_purge_switch) "
    "BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END;",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS audit_log_no_update",
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
    "DROP TABLE IF EXISTS core_purge_switch",
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_seed_working_calendar")]
    operations = [migrations.RunPython(forwards, backwards)]
