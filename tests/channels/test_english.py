"""The transcription page and the ticket page's transcription notice in English."""

from django.core.files.uploadedfile import SimpleUploadedFile

from complaintloop.channels.services import media
from tests.web.test_english import _english, _leftover_chinese

from .test_voicemail_fax import WAV


def test_transcribe_page_in_english(world):
    entry = media.receive(
        media.MediaIn(channel="voicemail", caller="13800001111", called="10086", received_at=None),
        SimpleUploadedFile("v.wav", WAV),
        actor=media.integration_account("NJ-KF"),
    )
    client = _english(world.agent_nj)
    html = client.get(f"/channels/transcribe/{entry.ticket.number}/").content.decode()
    assert "Transcription and category" in html and "Caller number" in html
    assert _leftover_chinese(html) == []
    ticket_page = client.get(f"/tickets/{entry.ticket.number}/").content.decode()
    assert "Voicemail/fax ticket: transcribe its content and classify it" in ticket_page
    queue = client.get("/queues/?tab=transcribe").content.decode()
    assert "To transcribe" in queue and entry.ticket.number in queue
