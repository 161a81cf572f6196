"""Secrets the application must read back (a mailbox's IMAP password, say) are stored
sealed: Fernet (AES-128-CBC + HMAC-SHA256) under ``FIELD_ENCRYPTION_KEYS``, so a
database dump or a read-only SQL account does not hand them out.

Keys: ``FIELD_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest first: values are
sealed with the first and opened with any, so a key can be rotated by putting a new
one in front and re-saving). Without it, one key is derived from ``SECRET_KEY``.
Values written before sealing (no ``fernet:`` prefix) are read as they are and sealed
on their next save."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _box(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        digest = hashlib.sha256(b"complaintloop.sealed:" + secret_key.encode()).digest()
        keys = (base64.urlsafe_b64encode(digest).decode(),)
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: {exc}") from exc


def _current() -> MultiFernet:
    keys = tuple(k.strip() for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) if k.strip())
    return _box(keys, settings.SECRET_KEY)


def seal(value: str) -> str:
    if not value or value.startswith(PREFIX):
        return value
    return PREFIX + _current().encrypt(value.encode()).decode()


def unseal(value: str | None) -> str:
    if not value or not value.startswith(PREFIX):
        return value or ""  # empty, or written before sealing
    try:
        return _current().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "a sealed value cannot be opened with FIELD_ENCRYPTION_KEYS / SECRET_KEY "
            "(the key it was sealed with is missing)"
        ) from exc


class SealedCharField(models.TextField):
    """Plain text in Python, sealed in the database. Not searchable or orderable."""

    def from_db_value(self, value, expression, connection):
        return unseal(value)

    def to_python(self, value):
        return unseal(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return seal(value) if value else value

    def value_to_string(self, obj):
        # dumpdata writes the sealed form; loaddata opens it again through to_python.
        return seal(self.value_from_object(obj) or "")
