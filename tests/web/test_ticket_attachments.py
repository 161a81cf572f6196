from django.core.files.base import ContentFile
from django.test import Client

from complaintloop.attachments.models import Attachment
from complaintloop.core import clock

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _attach(ticket, name, content_type, data):
    item = Attachment(
        ticket=ticket, name=name, size=len(data), content_type=content_type, uploaded_at=clock.now()
    )
    item.file.save(name, ContentFile(data), save=True)
    return item


def test_ticket_page_lists_and_serves_attachments_in_scope(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = world.new_ticket()
    photo = _attach(ticket, "光猫.png", "image/png", PNG)
    bill = _attach(ticket, "账单.xlsx", "application/vnd.ms-excel", b"PK\x03\x04data")
    client = Client()
    client.force_login(world.handler_nj)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "光猫.png" in page and "账单.xlsx" in page
    shown = client.get(f"/tickets/{ticket.number}/attachments/{photo.pk}/")
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == PNG
    assert "attachment" not in shown["Content-Disposition"]  # previewed inline
    downloaded = client.get(f"/tickets/{ticket.number}/attachments/{bill.pk}/")
    assert "attachment" in downloaded["Content-Disposition"]
    # out of scope: the 苏州 handler gets 404, as for the ticket itself
    other = Client()
    other.force_login(world.handler_sz)
    assert other.get(f"/tickets/{ticket.number}/attachments/{photo.pk}/").status_code == 404
