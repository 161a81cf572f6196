"""Fill the address → customer table from customers that already have an email (the
signal keeps it in step from now on). One query per batch; first customer wins."""

from django.db import migrations


def forwards(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    EmailIdentity = apps.get_model("channels", "EmailIdentity")
    known = set(EmailIdentity.objects.values_list("address", flat=True))
    batch = []
    rows = Customer.objects.exclude(email="").order_by("id").values_list("id", "email")
    for customer_id, email in rows.iterator(chunk_size=5000):
        address = email.strip().lower()
        if address and address not in known:
            known.add(address)
            batch.append(EmailIdentity(address=address, customer_id=customer_id))
        if len(batch) >= 5000:
            EmailIdentity.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    EmailIdentity.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("channels", "0002_default_sms_grammar"), ("customers", "0002_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
