from django.db import migrations


def load(apps, schema_editor):
    from complaintloop.quality import scorecards

    scorecards.load_defaults(apps)


def unload(apps, schema_editor):
    apps.get_model("quality", "ScorecardItem").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0004_evaluation_scorecards")]

    operations = [migrations.RunPython(load, unload)]
