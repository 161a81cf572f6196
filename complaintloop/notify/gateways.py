"""Ways out: the SMS gateways and the email sender. Every message carries the outbox
event id so a receiver can drop the copy a crashed worker sends again."""

from __future__ import annotations

import logging
from functools import cache
from typing import Protocol

import httpx
from django.conf import settings
from django.core import mail

from .models import EmailMessage, SmsMessage

log = logging.getLogger("complaintloop.sms")


class DeliveryError(Exception):
    """A send that failed and may succeed later (network, timeout, non-2xx)."""


class SmsGateway(Protocol):
    name: str

    def send(self, message: SmsMessage) -> None: ...


class LogGateway:
    """Embedded mode: no operator gateway, the SMS goes to the log (and stays in the
    table for the admin to read)."""

    name = "log"

    def send(self, message: SmsMessage) -> None:
        log.info("sms to %s (event %s): %s", message.phone, message.outbox_id, message.text)


class HttpGateway:
    """An operator's SMS gateway over HTTP: JSON POST, bearer key, timeout; anything
    but a 2xx is a retryable failure."""

    name = "http"

    def __init__(self, url: str, key: str, timeout: float) -> None:
        self.url, self.key = url, key
        self.client = httpx.Client(timeout=timeout)

    def send(self, message: SmsMessage) -> None:
        body = {
            "id": message_key(message.outbox_id, message.phone),
            "event_id": message.outbox_id,
            "phone": message.phone,
            "text": message.text,
        }
        headers = {"X-ComplaintLoop-Event-Id": str(message.outbox_id)}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        try:
            response = self.client.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"sms gateway unreachable: {exc!r}") from exc
        if not response.is_success:
            raise DeliveryError(
                f"sms gateway answered {response.status_code}: {response.text[:200]}"
            )


def message_key(outbox_id: int, recipient: str) -> str:
    return f"{outbox_id}:{recipient}"


@cache
def sms_gateway() -> SmsGateway:
    if settings.SMS_GATEWAY == "http":
        return HttpGateway(
            settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY, settings.SMS_GATEWAY_TIMEOUT
        )
    return LogGateway()


def send_email(message: EmailMessage) -> None:
    """Through Django's EMAIL_BACKEND (SMTP in production, files under var/ embedded)."""
    email = mail.EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={
            "Message-ID": message.message_id,
            "X-ComplaintLoop-Event-Id": str(message.outbox_id),
        },
    )
    try:
        email.send(fail_silently=False)
    except (OSError, mail.BadHeaderError) as exc:  # smtplib errors are OSErrors
        raise DeliveryError(f"smtp: {exc!r}") from exc
