"""Attaching files is traced (R9): at intake and on the ticket page, the timeline
shows who attached which files and how big they were."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaintloop.attachments.models import Attachment
from complaintloop.tickets.models import EventKind, Ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2040


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_upload_on_the_ticket_page_is_traced_with_names_and_sizes(world, settings, tmp_path):
    # given a ticket being handled
    settings.MEDIA_ROOT = tmp_path
    ticket = world.new_ticket()
    client = _client(world.handler_nj)
    # when the handler uploads two files with a note
    response = client.post(
        f"/tickets/{ticket.number}/attachments/",
        {
            "attachments": [
                SimpleUploadedFile("光猫.png", PNG),
                SimpleUploadedFile("测速.pdf", b"%PDF-1.4 " + b"x" * 100),
            ],
            "comment": "现场照片",
        },
    )
    # then they are stored and the trace says so
    assert response.status_code == 302
    assert Attachment.objects.filter(ticket=ticket).count() == 2
    event = ticket.events.order_by("-seq").first()
    assert event.kind == EventKind.COMMENTED and event.actor == world.handler_nj
    assert event.payload["attachments"] == [
        {"name": "光猫.png", "size": len(PNG)},
        {"name": "测速.pdf", "size": 109},
    ]
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    timeline = page[page.index('id="timeline"') :]
    assert "上传附件" in timeline and "光猫.png (2.0" in timeline and "现场照片" in timeline


def test_a_refused_upload_writes_nothing(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = world.new_ticket()
    before = ticket.events.count()
    response = _client(world.handler_nj).post(
        f"/tickets/{ticket.number}/attachments/",
        {"attachments": [SimpleUploadedFile("病毒.exe", b"MZ" + b"x" * 10)]},
    )
    assert response.status_code == 422
    assert "类型不允许" in response.content.decode()
    assert ticket.events.count() == before and not Attachment.objects.exists()


def test_out_of_scope_upload_is_404(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = world.new_ticket()
    response = _client(world.handler_sz).post(
        f"/tickets/{ticket.number}/attachments/",
        {"attachments": [SimpleUploadedFile("a.png", PNG)]},
    )
    assert response.status_code == 404 and not Attachment.objects.exists()


def test_files_attached_at_intake_are_traced(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = _client(world.agent_nj)
    response = client.post(
        "/intake/",
        {
            "customer_phone": "13800001111",
            "order_type": "complaint",
            "channel": "phone",
            "category": "0101",
            "description": "宽带掉线,附光猫照片",
            "action": "dispatch",
            "attachments": [SimpleUploadedFile("光猫.png", PNG)],
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    kinds = list(ticket.events.order_by("seq").values_list("kind", "payload"))
    assert kinds[0][0] == EventKind.CREATED
    assert kinds[-1] == (
        EventKind.COMMENTED,
        {"attachments": [{"name": "光猫.png", "size": len(PNG)}]},
    )
