"""待转写 in a real browser: a voicemail waits in its queue tab, the agent listens,
writes it down, classifies it and is back on the ticket ready to dispatch."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaintloop.channels.models import Transcription
from complaintloop.channels.services import media
from complaintloop.tickets.models import Ticket
from tests.channels.test_voicemail_fax import WAV

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_transcribe_a_voicemail_from_the_queue(page, world):
    entry = media.receive(
        media.MediaIn(channel="voicemail", caller="13800001111", called="10086", received_at=None),
        SimpleUploadedFile("voicemail.wav", WAV),
        actor=media.integration_account("NJ-KF"),
    )
    number = entry.ticket.number
    sign_in(page, "agent_nj")
    page.goto(f"{page.base_url}/queues/?tab=transcribe")
    assert number in page.inner_text("table")
    page.goto(f"{page.base_url}/tickets/{number}/")
    page.click("#transcribe-notice a")
    page.wait_for_url(f"{page.base_url}/channels/transcribe/{number}/")
    assert page.locator("audio").count() == 1
    page.fill("#id_text", "客户留言:家中宽带每晚八点后掉线,希望尽快上门检修。")
    page.select_option("#id_category", "0101")
    screenshot(page, "channels-transcribe")
    page.click(".transcribe-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/tickets/{number}/")
    assert "已转写并分类" in page.inner_text("body")
    ticket = Ticket.objects.get(number=number)
    assert ticket.category.code == "0101" and ticket.description.startswith("客户留言")
    assert Transcription.objects.get(ticket=ticket).done_by.username == "agent_nj"
    assert page.locator("#transcribe-notice").count() == 0
