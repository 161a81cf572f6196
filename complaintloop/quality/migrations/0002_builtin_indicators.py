from django.db import migrations


def load(apps, schema_editor):
    from complaintloop.quality import builtin

    builtin.load(apps)


def unload(apps, schema_editor):
    from complaintloop.quality import builtin

    builtin.unload(apps)


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
