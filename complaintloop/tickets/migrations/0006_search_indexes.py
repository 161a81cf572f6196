from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS ticket_search_gin ON tickets_ticketsearchdoc "
            "USING gin (to_tsvector('simple', tokens))"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS ticket_fts USING fts5(tokens, tokenize='unicode61')"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ticket_search_gin")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS ticket_fts")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_search_doc")]
    operations = [migrations.RunPython(forwards, backwards)]
