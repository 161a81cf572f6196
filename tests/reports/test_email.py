"""Done reports are mailed to the scope's recipients through a real SMTP conversation
(aiosmtpd in this process), with the PDF and XLSX attached, once."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from complaintloop.reports import services
from complaintloop.reports.models import Recipient, Report


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook)
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield inbox
    controller.stop()


def test_subscribers_get_the_files_once(october, world, smtp, eager, monkeypatch,
                                        django_capture_on_commit_callbacks):  # fmt: skip
    client = Client()
    client.force_login(world.quality)
    for address in ("zl@js.example.com", "nj-kf@js.example.com"):
        response = client.post(
            "/reports/recipients/", {"scope": "NJ", "kind": "weekly", "email": address}
        )
        assert response.status_code == 302
    Recipient.objects.create(scope_unit=world.suzhou, kind="weekly", email="sz@js.example.com")
    # lighter files: the mail is what is tested here
    monkeypatch.setattr(services.render, "pdf", lambda content, number="": (b"%PDF-1.7 x", 1))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/", {"kind": "weekly", "period": "2025-W41", "scope": "NJ"})
    report = Report.objects.get()
    assert report.status == "done" and report.emailed_to == 2 and report.emailed_at
    ((to, message),) = smtp.messages
    assert sorted(to) == ["nj-kf@js.example.com", "zl@js.example.com"]
    assert "南京分公司" in str(
        email.header.make_header(email.header.decode_header(message["Subject"]))
    )
    files = {part.get_filename(): part for part in message.walk() if part.get_filename()}
    assert set(files) == {"weekly-NJ-2025-W41.pdf", "weekly-NJ-2025-W41.xlsx"}
    assert files["weekly-NJ-2025-W41.pdf"].get_payload(decode=True) == b"%PDF-1.7 x"
    assert files["weekly-NJ-2025-W41.xlsx"].get_payload(decode=True)[:2] == b"PK"
    # delivering again sends nothing more
    assert services.deliver(report.pk) == 0 and len(smtp.messages) == 1


def test_a_mail_failure_leaves_the_report_done(october, world, settings, eager, monkeypatch,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens
    Recipient.objects.create(scope_unit=world.nanjing, kind="weekly", email="a@js.example.com")
    monkeypatch.setattr(services.render, "pdf", lambda content, number="": (b"%PDF", 1))
    client = Client()
    client.force_login(world.quality)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/", {"kind": "weekly", "period": "2025-W41", "scope": "NJ"})
    report = Report.objects.get()
    assert report.status == "done" and report.emailed_at is None


def test_a_city_manager_cannot_subscribe_to_the_province(world, quality_sz):
    client = Client()
    client.force_login(quality_sz)
    client.post("/reports/recipients/", {"scope": "JS", "kind": "monthly", "email": "x@y.cn"})
    client.post("/reports/recipients/", {"scope": "SZ", "kind": "monthly", "email": "not-mail"})
    assert not Recipient.objects.exists()
    client.post("/reports/recipients/", {"scope": "SZ", "kind": "monthly", "email": "x@y.cn"})
    assert Recipient.objects.get().scope_unit == world.suzhou
