"""A mailbox's IMAP password is stored sealed and never sent back to the browser."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from complaintloop.channels.models import Mailbox
from complaintloop.core import sealed


def stored(mailbox: Mailbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM channels_mailbox WHERE id = %s", [mailbox.pk])
        return cursor.fetchone()[0]


def test_the_password_is_sealed_in_the_database_and_plain_in_python(mailbox):
    mailbox.password = "imap-Secret-42"
    mailbox.save()
    raw = stored(mailbox)
    assert raw.startswith("fernet:") and "imap-Secret-42" not in raw
    assert Mailbox.objects.get(pk=mailbox.pk).password == "imap-Secret-42"
    # a bulk update seals too
    Mailbox.objects.filter(pk=mailbox.pk).update(password="changed")
    assert stored(mailbox) != "changed"
    assert Mailbox.objects.get(pk=mailbox.pk).password == "changed"


def test_a_password_stored_before_sealing_still_reads_and_is_sealed_on_save(mailbox):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE channels_mailbox SET password = 'legacy' WHERE id = %s", [mailbox.pk]
        )
    box = Mailbox.objects.get(pk=mailbox.pk)
    assert box.password == "legacy"
    box.save()
    assert stored(box).startswith("fernet:")


def test_keys_rotate_and_a_missing_key_is_a_clear_error(mailbox, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    Mailbox.objects.filter(pk=mailbox.pk).update(password="rotate-me")
    # a new key in front still opens values sealed with the old one
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    box = Mailbox.objects.get(pk=mailbox.pk)
    assert box.password == "rotate-me"
    box.save()  # re-sealed with the new key
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert Mailbox.objects.get(pk=mailbox.pk).password == "rotate-me"
    # without the key it was sealed with, reading says why instead of returning garbage
    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        Mailbox.objects.get(pk=mailbox.pk)
    assert sealed.unseal("") == ""


def test_the_admin_never_shows_the_password_and_blank_keeps_it(mailbox, admin_client):
    Mailbox.objects.filter(pk=mailbox.pk).update(password="keep-me")
    url = f"/admin/channels/mailbox/{mailbox.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200 and b"keep-me" not in page.content
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(password="", order_type=mailbox.order_type_id, unit=mailbox.unit_id)
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert Mailbox.objects.get(pk=mailbox.pk).password == "keep-me"
