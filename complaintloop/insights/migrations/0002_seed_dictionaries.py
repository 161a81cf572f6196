"""Seed the domain dictionary and stop words from insights/data/ (editable in admin)."""

from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split() for line in map(str.strip, lines) if line and not line.startswith("#")]


def seed(apps, schema_editor):
    DomainTerm = apps.get_model("insights", "DomainTerm")
    StopWord = apps.get_model("insights", "StopWord")
    for row in _rows("domain_terms.txt"):
        weight = float(row[1]) if len(row) > 1 else 1.5
        DomainTerm.objects.update_or_create(word=row[0], defaults={"weight": weight})
    for row in _rows("stop_words.txt"):
        StopWord.objects.get_or_create(word=row[0])


def unseed(apps, schema_editor):
    DomainTerm = apps.get_model("insights", "DomainTerm")
    StopWord = apps.get_model("insights", "StopWord")
    DomainTerm.objects.filter(word__in=[r[0] for r in _rows("domain_terms.txt")]).delete()
    StopWord.objects.filter(word__in=[r[0] for r in _rows("stop_words.txt")]).delete()


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
