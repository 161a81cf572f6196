"""Customer numbers: one check for every way a number comes in (intake, registration,
SMS, voicemail and fax), on Google's numbering metadata (``phonenumbers``).

A number is stored as it is dialled inside China: a mobile as its 11 digits
(``13912345678``), a landline with its trunk 0 and area code (``02584001234``), a
service number as published (``4001234567``, ``95598``). ``+86``/``0086``/``86`` in
front and spaces, dashes and brackets are accepted and dropped."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.utils.translation import gettext as _
from phonenumbers import PhoneNumberFormat, PhoneNumberType, shortnumberinfo

from complaintloop.core.errors import Invalid

REGION = "CN"
PERSONAL = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
# 400 (shared cost), 800 (toll free) and universal access numbers; short numbers such as
# 95598 or 10086 are checked by the short-number metadata.
SERVICE = {PhoneNumberType.SHARED_COST, PhoneNumberType.TOLL_FREE, PhoneNumberType.UAN}
ALLOWED_CHARS = re.compile(r"\+?[0-9 ()\-.]+")
MAX_LENGTH = 20


def _bad(field: str, allow_service_numbers: bool) -> Invalid:
    hint = (
        _("应为中国大陆手机号、带区号的固定电话或 400/800/短号码服务号码")
        if allow_service_numbers
        else _("应为中国大陆手机号(11 位)或带区号的固定电话")
    )
    return Invalid("customer.bad_phone", _("号码格式不正确"), {field: [hint]})


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        return phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None


def _stored(number: phonenumbers.PhoneNumber) -> str:
    return re.sub(r"\D", "", phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))


def normalize(
    raw: str | None, *, allow_service_numbers: bool = False, field: str = "customer_phone"
) -> str:
    """The number in its stored form, or Invalid (on ``field``) for anything that is
    not a Chinese mobile or landline number; 400/800 and short service numbers too
    when ``allow_service_numbers`` (channels where the caller may be an organisation)."""
    # NFKC: full-width digits and brackets from a Chinese input method count as ASCII.
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        raise Invalid("field.required", _("请填写客户号码"), {field: [_("必填")]})
    if len(text) > MAX_LENGTH + 10 or not ALLOWED_CHARS.fullmatch(text):
        raise _bad(field, allow_service_numbers)
    number = _parse(text)
    if number is None or number.country_code != phonenumbers.country_code_for_region(REGION):
        raise _bad(field, allow_service_numbers)
    if phonenumbers.is_valid_number_for_region(number, REGION):
        kind = phonenumbers.number_type(number)
        if kind in PERSONAL or (allow_service_numbers and kind in SERVICE):
            return _stored(number)
    elif (
        allow_service_numbers
        # a short number is dialled as it is, never after a country code
        and not text.startswith(("+", "00"))
        and shortnumberinfo.is_valid_short_number_for_region(number, REGION)
    ):
        return _stored(number)
    raise _bad(field, allow_service_numbers)


def is_valid(raw: str | None, *, allow_service_numbers: bool = False) -> bool:
    try:
        normalize(raw, allow_service_numbers=allow_service_numbers)
    except Invalid:
        return False
    return True
