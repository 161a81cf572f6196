from django.db import migrations


def seed(apps, schema_editor):
    from complaintloop.core import calendar

    calendar.seed_from_chinesecalendar(2020, 2026)


def unseed(apps, schema_editor):
    apps.get_model("core", "WorkCalendarDay").objects.filter(source="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
