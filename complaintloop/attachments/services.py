"""Filing attachments with a ticket: checked before anything is written, then stored."""

from __future__ import annotations

import os
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Invalid
from complaintloop.org.models import Staff

from .models import Attachment

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024

# The type comes from the extension (what the browser declares is not trusted); voicemail
# and fax orders bring audio and images, letters and bills come as PDF or office files.
TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".pdf": "application/pdf",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".amr": "audio/amr",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

# Leading bytes of every whitelisted format, so a renamed executable or page is not
# filed as a "pdf" or a "recording". Office files: the OOXML zip or the OLE2 container.
SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF8",),
    ".bmp": (b"BM",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".ppt": (b"\xd0\xcf\x11\xe0",),
    ".amr": (b"#!AMR",),
    ".ogg": (b"OggS",),
}

# ISO base media (MP4) brands of audio files: Apple's M4A, generic MP4 and ISO.
MP4_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"dash", b"3gp4")


def _riff(form: bytes):
    # RIFF containers (WAVE audio, WebP images): "RIFF", 4 bytes of size, the form type.
    return lambda head: head[:4] == b"RIFF" and head[8:12] == form


def _is_mp4_audio(head: bytes) -> bool:
    # A box: 4 bytes of size, then "ftyp" and the major brand.
    return head[4:8] == b"ftyp" and head[8:12] in MP4_AUDIO_BRANDS


def _is_adts(head: bytes) -> bool:
    # Raw AAC: ADTS frame sync, 12 set bits, then MPEG version and layer 00.
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def _is_mp3(head: bytes) -> bool:
    # An ID3v2 tag, or straight into an MPEG audio frame: 11 sync bits, then a version
    # other than "reserved" (01) and a layer other than "reserved" (00).
    if head[:3] == b"ID3":
        return True
    if len(head) < 2 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    return (head[1] >> 3) & 0b11 != 0b01 and (head[1] >> 1) & 0b11 != 0b00


CHECKS = {
    ".webp": _riff(b"WEBP"),
    ".wav": _riff(b"WAVE"),
    ".mp3": _is_mp3,
    ".m4a": _is_mp4_audio,
    # raw ADTS, often behind an ID3 tag, or AAC in an MP4 box
    ".aac": lambda head: _is_adts(head) or head[:3] == b"ID3" or _is_mp4_audio(head),
}


def content_matches(ext: str, head: bytes) -> bool:
    """Whether the file's first bytes are those of the format its extension names."""
    if ext in CHECKS:
        return CHECKS[ext](head)
    return head.startswith(SIGNATURES[ext])


def content_type(name: str) -> str | None:
    return TYPES.get(os.path.splitext(name)[1].lower())


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return head


def validate(files: Sequence[UploadedFile]) -> None:
    """Raise Invalid (field ``attachments``) unless every file may be filed: at most
    MAX_FILES files of at most MAX_BYTES each, of a whitelisted type."""
    problems: list[str] = []
    if len(files) > MAX_FILES:
        problems.append(_("最多上传 %(n)s 个附件") % {"n": MAX_FILES})
    for upload in files:
        name = upload.name or ""
        ext = os.path.splitext(name)[1].lower()
        if (upload.size or 0) > MAX_BYTES:
            problems.append(
                _("「%(name)s」超过 %(max)s") % {"name": name, "max": filesizeformat(MAX_BYTES)}
            )
        elif not upload.size:
            problems.append(_("「%(name)s」是空文件") % {"name": name})
        elif ext not in TYPES:
            problems.append(
                _("「%(name)s」类型不允许(可上传图片、PDF、录音、Office 文档)") % {"name": name}
            )
        elif not content_matches(ext, _head(upload)):
            problems.append(_("「%(name)s」内容与扩展名不符") % {"name": name})
    if problems:
        raise Invalid("attachments.invalid", problems[0], {"attachments": problems})


@transaction.atomic
def attach(
    ticket, files: Sequence[UploadedFile], *, actor: Staff, comment: str = ""
) -> list[Attachment]:
    """File ``files`` with ``ticket``; validated first, all or nothing, traced in the
    ticket's timeline with the files' names and sizes."""
    from complaintloop.tickets import services as tickets

    validate(files)
    if not files:
        raise Invalid("attachments.empty", _("请选择要上传的文件"), {"attachments": [_("必填")]})
    # Locks the ticket and checks the actor may see and work on it before any byte is
    # written.
    tickets.files_attached(
        ticket.number,
        actor=actor,
        files=[
            {"name": os.path.basename(f.name or "file")[:255], "size": f.size or 0} for f in files
        ],
        comment=comment,
    )
    now = clock.now()
    saved: list[Attachment] = []
    try:
        for upload in files:
            name = os.path.basename(upload.name or "file")[:255]
            attachment = Attachment(
                ticket=ticket,
                name=name,
                size=upload.size or 0,
                content_type=content_type(name) or "application/octet-stream",
                uploaded_by=actor,
                uploaded_at=now,
            )
            attachment.file.save(get_valid_filename(name) or "file", upload, save=False)
            attachment.save()
            saved.append(attachment)
    except Exception:
        # The rows roll back with the transaction; the bytes already written do not.
        for attachment in saved:
            attachment.file.delete(save=False)
        raise
    return saved
