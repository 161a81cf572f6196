"""Real protocol servers for the channel tests: aiosmtpd for outgoing mail (in this
process) and dovecot for IMAP (a private instance on a free port)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes

import pytest

from complaintloop.channels.models import Mailbox
from complaintloop.taxonomy.models import OrderType

from . import dovecot as dovecot_server
from .dovecot import free_port

__all__ = ["free_port"]


@pytest.fixture
def mailbox(world) -> Mailbox:
    return Mailbox.objects.create(
        name="nj-service",
        order_type=OrderType.objects.get(code="complaint"),
        unit=world.nj_kf,
    )


# ---- SMTP ------------------------------------------------------------------------


@dataclass
class Sink:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": message_from_bytes(envelope.original_content),
            }
        )
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """An SMTP server in this process; Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


# ---- IMAP (dovecot) --------------------------------------------------------------


@pytest.fixture(scope="session")
def dovecot():
    """A private dovecot for the session (see tests/channels/dovecot.py)."""
    reason = dovecot_server.missing()
    if reason:
        pytest.skip(reason)
    server = dovecot_server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap_mailbox(world, dovecot, settings) -> Mailbox:
    settings.CHANNELS_IMAP_CA_FILE = dovecot.cafile
    return Mailbox.objects.create(
        name="nj-imap",
        host="127.0.0.1",
        port=dovecot.port,
        use_ssl=True,
        username=dovecot.username,
        password=dovecot.password,
        folder="Complaints",
        order_type=OrderType.objects.get(code="complaint"),
        unit=world.nj_kf,
    )
