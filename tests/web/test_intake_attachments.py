"""受理: files filed with a new ticket are checked before the ticket exists."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from complaintloop.attachments import services as attachments
from complaintloop.attachments.models import Attachment
from complaintloop.tickets.models import Ticket

from .test_intake_create import _form

PDF = b"%PDF-1.4\n% bill\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agent(world):
    client = Client()
    client.force_login(world.agent_nj)
    return client


def _post(client, files, **overrides):
    return client.post(
        "/intake/", {**_form(**overrides), "attachments": files}, HTTP_HX_REQUEST="true"
    )


def test_files_are_stored_under_the_ticket_number(world, agent, tmp_path):
    # when the agent files a bill and a photo with the complaint
    response = _post(
        agent,
        [
            SimpleUploadedFile("话费账单.pdf", PDF, content_type="application/pdf"),
            SimpleUploadedFile("光猫.png", PNG, content_type="image/png"),
        ],
    )
    # then both are recorded with who, size and type, and stored in the ticket's folder
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    files = list(Attachment.objects.filter(ticket=ticket).order_by("id"))
    assert [(a.name, a.size, a.content_type) for a in files] == [
        ("话费账单.pdf", len(PDF), "application/pdf"),
        ("光猫.png", len(PNG), "image/png"),
    ]
    assert all(a.uploaded_by == world.agent_nj for a in files)
    assert files[0].file.name.startswith(f"attachments/{ticket.number}/")
    assert (Path(tmp_path) / files[0].file.name).read_bytes() == PDF
    assert "附件 2 个" in response.content.decode()


def test_a_file_over_ten_megabytes_is_refused_and_nothing_is_created(world, agent):
    big = SimpleUploadedFile("录音.wav", b"RIFF" + b"\x00" * attachments.MAX_BYTES)
    response = _post(agent, [big])
    assert response.status_code == 422
    assert "录音.wav" in " ".join(response.context["errors"]["attachments"])
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_a_type_outside_the_whitelist_is_refused(world, agent):
    response = _post(agent, [SimpleUploadedFile("tool.exe", b"MZ\x90\x00")])
    assert response.status_code == 422
    assert "类型不允许" in response.content.decode()
    assert not Ticket.objects.exists()


def test_content_must_match_the_extension(world, agent):
    response = _post(agent, [SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 not a pdf")])
    assert response.status_code == 422
    assert "内容与扩展名不符" in response.content.decode()


def test_at_most_five_files(world, agent):
    files = [SimpleUploadedFile(f"p{i}.png", PNG) for i in range(6)]
    response = _post(agent, files)
    assert response.status_code == 422
    assert "最多上传 5 个附件" in response.content.decode()


def test_a_failed_upload_keeps_the_chosen_files_in_the_browser(world, agent):
    # htmx keeps the file input (hx-preserve) so the agent does not pick them again
    response = _post(agent, [SimpleUploadedFile("p.png", PNG)], description="")
    assert response.status_code == 422
    assert "hx-preserve" in response.content.decode()


def test_a_replayed_submit_does_not_file_twice(world, agent):
    _post(agent, [SimpleUploadedFile("a.pdf", PDF)])
    _post(agent, [SimpleUploadedFile("a.pdf", PDF)])
    assert Ticket.objects.count() == 1 and Attachment.objects.count() == 1


def test_attaching_later_validates_too(world):
    ticket = world.new_ticket()
    with pytest.raises(attachments.Invalid):
        attachments.attach(ticket, [SimpleUploadedFile("x.bat", b"echo")], actor=world.agent_nj)
    assert not Attachment.objects.exists()
