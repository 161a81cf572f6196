"""Pseudonyms and text scrubbing for customer data past its retention period.

A pseudonym is stable (the same number always gives the same pseudonym, so a run may be
repeated and two rows naming the same number still agree) and cannot be turned back
into the number without the key. It contains letters and a hyphen, so it can never be
a number a customer really has (intake accepts digits only), and it is unique for a
unique input, so the customers' unique phone index holds."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings

PREFIX = "anon-"
ANONYMOUS_NAME = "已匿名客户"
REDACTED = "[已脱敏]"
EMAIL_DOMAIN = "anonymised.invalid"  # RFC 2606: a domain that can never receive mail

# Digits not glued to letters or other digits: a ticket number (TS2025…) is kept.
_EDGE_BEFORE = r"(?<![A-Za-z0-9])"
_EDGE_AFTER = r"(?![A-Za-z0-9])"
_PATTERNS = [
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # email addresses
    _EDGE_BEFORE + r"\d{17}[\dXx]" + _EDGE_AFTER,  # 18-digit resident ID
    _EDGE_BEFORE + r"(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}" + _EDGE_AFTER,  # mobile
    _EDGE_BEFORE + r"0\d{2,3}-\d{7,8}" + _EDGE_AFTER,  # landline with area code
    # Anything else of 7 digits or more: 15-digit IDs, bare landlines, bank cards,
    # broadband accounts. A date written 2025-10-09 is not touched.
    _EDGE_BEFORE + r"\d{7,}" + _EDGE_AFTER,
]
_PII = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def _key() -> bytes:
    return (settings.RETENTION_PSEUDONYM_KEY or settings.SECRET_KEY).encode()


def digest(value: str, length: int) -> str:
    return hmac.new(_key(), value.encode(), hashlib.sha256).hexdigest()[:length]


def phone(value: str) -> str:
    """``anon-`` and 15 hex digits of an HMAC: 20 characters, the column's width."""
    if not value or value.startswith(PREFIX):
        return value
    return PREFIX + digest(value, 15)


def email(value: str) -> str:
    if not value or value.endswith("@" + EMAIL_DOMAIN):
        return value
    return f"{PREFIX}{digest(value.lower(), 16)}@{EMAIL_DOMAIN}"


def is_pseudonym(value: str) -> bool:
    return value.startswith(PREFIX)


def scrub(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with phone numbers, ID numbers, email addresses and the ``known``
    values (the customer's name, number, address) replaced by ``[已脱敏]``."""
    if not text:
        return text
    for value in sorted({k for k in known if k and len(k) >= 2}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return _PII.sub(REDACTED, text)
