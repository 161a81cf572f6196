"""Voicemail and fax deliveries: a bearer-token integration account posts the file and
the caller's metadata; the ticket waits in the 待转写 queue until an agent transcribes
and classifies it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaintloop.attachments.models import Attachment
from complaintloop.channels.models import Transcription
from complaintloop.channels.services import media
from complaintloop.core.errors import Conflict, Invalid, NotFound
from complaintloop.org.models import ApiToken
from complaintloop.tickets.models import Channel, EventKind, Status, Ticket
from complaintloop.web.queues import queries

from . import mails

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"


@pytest.fixture
def token(world):
    _token, key = ApiToken.issue(media.integration_account("NJ-KF"), name="pbx")
    return key


def upload(client, path, key, files, **fields):
    data = {**fields, **files}
    return client.post(path, data=data, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_voicemail_becomes_a_ticket_to_transcribe(client, world, token):
    response = upload(
        client,
        "/api/v1/channels/voicemail",
        token,
        {"file": SimpleUploadedFile("msg-0815.wav", WAV, content_type="audio/wav")},
        caller="13800001111",
        called="10086",
        received_at="2026-11-23T09:15:00+08:00",
        duration="42",
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.channel == Channel.VOICEMAIL and ticket.status == Status.NEW
    assert ticket.customer.phone == "13800001111" and ticket.category is None
    assert ticket.accepting_unit == world.nj_kf
    (attachment,) = Attachment.objects.filter(ticket=ticket)
    assert attachment.name == "msg-0815.wav" and attachment.content_type == "audio/wav"
    pending = Transcription.objects.get(ticket=ticket)
    assert (pending.caller, pending.called, pending.duration_seconds) == (
        "13800001111",
        "10086",
        42,
    )
    assert pending.done_at is None
    source = ticket.events.get(kind=EventKind.CREATED).payload["source"]
    assert source["channel"] == "voicemail" and source["called"] == "10086"


def test_fax_pdf_becomes_a_ticket_to_transcribe(client, world, token):
    response = upload(
        client,
        "/api/v1/channels/fax",
        token,
        {"file": SimpleUploadedFile("fax.pdf", mails.PDF, content_type="application/pdf")},
        caller="025-84001234",
        pages="3",
        message_id="fax-2026-0001",
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["ticket"])
    assert ticket.channel == Channel.FAX and ticket.transcription.pages == 3
    assert ticket.customer.phone == "02584001234"
    # the fax server retries: same message id, same ticket
    again = upload(
        client,
        "/api/v1/channels/fax",
        token,
        {"file": SimpleUploadedFile("fax.pdf", mails.PDF, content_type="application/pdf")},
        caller="025-84001234",
        pages="3",
        message_id="fax-2026-0001",
    )
    assert again.json()["ticket"] == ticket.number and Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "files", "fields", "field"),
    [
        ("/api/v1/channels/voicemail", {}, {"caller": "13800001111"}, "file"),
        (
            "/api/v1/channels/voicemail",
            {"file": SimpleUploadedFile("a.wav", WAV)},
            {"caller": "12"},
            "caller",
        ),
        (
            "/api/v1/channels/voicemail",
            {"file": SimpleUploadedFile("fax.pdf", mails.PDF)},
            {"caller": "13800001111"},
            "file",
        ),
        (
            "/api/v1/channels/fax",
            {"file": SimpleUploadedFile("fax.pdf", b"MZ not a pdf")},
            {"caller": "13800001111"},
            "attachments",
        ),
        (
            "/api/v1/channels/voicemail",
            {"file": SimpleUploadedFile("a.wav", WAV)},
            {"caller": "13800001111", "duration": "long"},
            "duration",
        ),
        (
            "/api/v1/channels/fax",
            {"file": SimpleUploadedFile("fax.pdf", mails.PDF)},
            {"caller": "13800001111", "received_at": "yesterday"},
            "received_at",
        ),
    ],
)
def test_bad_input_is_a_4xx_json_error(client, world, token, path, files, fields, field):
    response = upload(client, path, token, files, **fields)
    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and field in body["fields"]
    assert not Ticket.objects.exists()


def test_only_integration_accounts_may_post(client, world):
    _token, key = ApiToken.issue(world.agent_nj)
    response = upload(
        client,
        "/api/v1/channels/voicemail",
        key,
        {"file": SimpleUploadedFile("a.wav", WAV)},
        caller="13800001111",
    )
    assert response.status_code == 403 and response.json()["code"] == "channels.not_integration"
    no_token = client.post("/api/v1/channels/voicemail", data={"caller": "13800001111"})
    assert no_token.status_code == 401


@pytest.fixture
def voicemail_ticket(world):
    entry = media.receive(
        media.MediaIn(channel="voicemail", caller="13800001111", called="10086", received_at=None),
        SimpleUploadedFile("v.wav", WAV),
        actor=media.integration_account("NJ-KF"),
    )
    return entry.ticket


def test_waiting_tickets_are_in_the_transcribe_tab(world, voicemail_ticket):
    query = queries.QueueQuery(tab="transcribe")
    numbers = [item.ticket.number for item in queries.items(world.agent_nj, query)]
    assert numbers == [voicemail_ticket.number]
    assert queries.tab_counts(world.agent_nj)["transcribe"] == 1
    # another city's agent does not see it
    assert queries.tab_counts(world.agent_sz)["transcribe"] == 0


def test_transcribing_classifies_and_leaves_the_queue(world, voicemail_ticket):
    ticket = media.transcribe(
        voicemail_ticket.number,
        actor=world.agent_nj,
        text="客户来电反映家中宽带每晚掉线,要求上门检修。",
        category="0101",
    )
    assert ticket.category.code == "0101" and ticket.description.startswith("客户来电反映")
    event = ticket.events.filter(kind=EventKind.COMMENTED).last()
    assert event.payload["reclassified"]["category"] == "0101"
    assert event.payload["reclassified"]["before"]["category"] is None
    assert queries.tab_counts(world.agent_nj)["transcribe"] == 0
    # a second transcription is refused
    with pytest.raises(Conflict):
        media.transcribe(voicemail_ticket.number, actor=world.agent_nj, text="x", category="0101")


def test_transcription_needs_text_and_a_known_category(world, voicemail_ticket):
    with pytest.raises(Invalid):
        media.transcribe(
            voicemail_ticket.number, actor=world.agent_nj, text="有内容", category="zz"
        )
    with pytest.raises(Invalid):
        media.transcribe(voicemail_ticket.number, actor=world.agent_nj, text=" ", category="0101")
    assert Transcription.objects.get(ticket=voicemail_ticket).done_at is None


def test_out_of_scope_agent_cannot_transcribe(world, voicemail_ticket):
    with pytest.raises(NotFound):
        media.transcribe(voicemail_ticket.number, actor=world.agent_sz, text="x", category="0101")


def test_transcribe_page_saves_and_returns_to_the_ticket(client, world, voicemail_ticket):
    client.force_login(world.agent_nj)
    url = f"/channels/transcribe/{voicemail_ticket.number}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<audio" in html and "宽带故障" in html
    # the ticket page points to it
    ticket_page = client.get(f"/tickets/{voicemail_ticket.number}/").content.decode()
    assert url in ticket_page
    version = Ticket.objects.get(pk=voicemail_ticket.pk).version
    bad = client.post(url, {"text": "内容", "category": "", "version": version})
    assert bad.status_code == 422 and "请选择有效的分类" in bad.content.decode()
    done = client.post(url, {"text": "宽带掉线", "category": "0101", "version": version})
    assert done.status_code == 302 and done["Location"] == f"/tickets/{voicemail_ticket.number}/"
    assert Ticket.objects.get(pk=voicemail_ticket.pk).category.code == "0101"


def test_transcribe_page_is_404_outside_scope(client, world, voicemail_ticket):
    client.force_login(world.agent_sz)
    assert client.get(f"/channels/transcribe/{voicemail_ticket.number}/").status_code == 404


def test_media_file_may_be_framed_by_the_transcribe_page_only(client, world, voicemail_ticket):
    attachment = voicemail_ticket.attachments.get()
    url = f"/channels/transcribe/{voicemail_ticket.number}/files/{attachment.pk}/"
    client.force_login(world.agent_nj)
    response = client.get(url)
    assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content).startswith(b"RIFF")
    client.force_login(world.agent_sz)
    assert client.get(url).status_code == 404


def test_voicemail_is_a_contact_record_of_the_customer(world, voicemail_ticket):
    from complaintloop.customers.models import ContactRecord

    record = ContactRecord.objects.get(ticket_number=voicemail_ticket.number)
    assert record.channel == "call" and record.customer == voicemail_ticket.customer
