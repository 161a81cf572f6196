"""The default SMS grammar (TS#<category code>#<text>, survey replies, free text) and
the group whose members may post voicemail and fax."""

from django.db import migrations

RULES = [
    # (priority, name, pattern, action)
    (10, "满意度回复 1/2/3", r"\s*(?P<answer>[123])\s*", "survey"),
    (20, "TS#分类编码#问题描述", r"\s*TS#(?P<category>[0-9A-Za-z.\-]+)#(?P<text>.+)", "classified"),
    (30, "TS 格式不完整", r"\s*TS#.*", "help"),
    (900, "自由文本", r"(?P<text>.{4,})", "free_text"),
]


def forwards(apps, schema_editor):
    SmsGrammar = apps.get_model("channels", "SmsGrammar")
    for priority, name, pattern, action in RULES:
        SmsGrammar.objects.get_or_create(
            name=name, defaults={"pattern": pattern, "action": action, "priority": priority}
        )
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="channel-integration")


def backwards(apps, schema_editor):
    SmsGrammar = apps.get_model("channels", "SmsGrammar")
    SmsGrammar.objects.filter(name__in=[r[1] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, backwards)]
