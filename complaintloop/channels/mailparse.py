"""Reading a raw RFC 5322 message: headers and bodies decoded whatever the charset
(GB2312/GBK read as GB18030, its superset, since mailers label GBK text as gb2312),
HTML sanitized by nh3, attachments, auto-reply/bounce signals and thread tokens."""

from __future__ import annotations

import email
import hashlib
import html as htmllib
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr

import nh3

# Labels Chinese mailers put on GBK text; GB18030 decodes all of them.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}
# Message-IDs of our own notifications: <cl.TS2026...[.sig][.anything]@host>.
REF_TOKEN = re.compile(r"<cl\.(TS\d{8,})\.([0-9a-f]{12}|n)\b", re.I)
SUBJECT_TOKEN = re.compile(r"\[\s*(TS\d{8,})(?:\s*#([0-9a-f]{12}))?\s*\]", re.I)
# A bare ticket number in the subject (``Re: 您的工单 TS202611230001234 已受理``).
SUBJECT_NUMBER = re.compile(r"(?<![0-9A-Za-z])(TS\d{15})(?!\d)", re.I)
# Message-IDs of the notify app's customer mail: <event-<outbox id>.<hash>@host>.
EVENT_REF = re.compile(r"<(event-(\d+)\.[0-9a-f]+@[^>\s]+)>", re.I)
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.I)


def charset(name: str | None) -> str:
    name = (name or "").strip().strip('"').lower()
    return CHARSET_ALIASES.get(name, name) or "utf-8"


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Bytes to text: the declared charset (mapped), else UTF-8, else GB18030."""
    tried: list[str] = []
    for name in (charset(declared) if declared else None, "utf-8", "gb18030"):
        if not name or name in tried:
            continue
        tried.append(name)
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def header_text(value) -> str:
    """An RFC 2047 header (or raw 8-bit bytes a careless mailer sent) as text."""
    if value is None:
        return ""
    raw = str(value)
    if any(ord(ch) > 127 for ch in raw):
        # 8-bit header bytes arrive as surrogate escapes: recover and sniff them.
        try:
            return decode_bytes(raw.encode("ascii", "surrogateescape"), None).strip()
        except UnicodeEncodeError:
            return raw.strip()
    parts = []
    for chunk, cs in decode_header(raw):
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, cs))
        else:
            parts.append(chunk)
    return re.sub(r"\s*\n\s*", " ", "".join(parts)).strip()


def html_to_text(sanitized: str) -> str:
    """Readable text of sanitized HTML: block ends become line breaks."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", sanitized)
    text = re.sub(r"(?i)</(p|div|li|tr|h[1-6]|blockquote|table)>", "\n", text)
    text = nh3.clean(text, tags=set())
    text = htmllib.unescape(text).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sanitize_html(raw: str) -> str:
    return nh3.clean(raw, clean_content_tags={"script", "style", "head", "title"})


@dataclass
class MailFile:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    html: str
    files: list[MailFile] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    autoreply_reason: str = ""
    size: int = 0
    raw_hash: str = ""

    @property
    def key(self) -> str:
        """What makes ingestion idempotent: the Message-ID, or the bytes without one."""
        return self.message_id or f"sha256:{self.raw_hash}"

    def header_tokens(self) -> list[tuple[str, str]]:
        """(ticket number, signature or '') from References/In-Reply-To: the message
        answers one we sent."""
        found = []
        for ref in self.references:
            for m in REF_TOKEN.finditer(ref):
                sig = m.group(2).lower()
                found.append((m.group(1).upper(), "" if sig == "n" else sig))
        return found

    def thread_tokens(self) -> list[tuple[str, str]]:
        """Header tokens first, then the subject's ``[TS… #sig]``."""
        found = self.header_tokens()
        for m in SUBJECT_TOKEN.finditer(self.subject):
            found.append((m.group(1).upper(), (m.group(2) or "").lower()))
        found.extend((m.group(1).upper(), "") for m in SUBJECT_NUMBER.finditer(self.subject))
        return found

    def event_refs(self) -> list[tuple[str, int]]:
        """(Message-ID, outbox id) of notification mail this message answers."""
        return [
            (f"<{m.group(1)}>", int(m.group(2)))
            for ref in self.references
            for m in EVENT_REF.finditer(ref)
        ]


def _autoreply_reason(msg: Message, sender: str) -> str:
    auto = (msg.get("Auto-Submitted") or "").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if msg.get(name) is not None:
            return f"{name}: {msg.get(name)}"
    precedence = (msg.get("Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "auto_reply", "list"):
        return f"Precedence: {precedence}"
    if BOUNCE_SENDERS.match(sender):
        return f"bounce from {sender}"
    return_path = msg.get("Return-Path")
    if return_path is not None and parseaddr(str(return_path))[1] == "":
        return "empty Return-Path"
    if msg.get_content_type() == "multipart/report":
        return "delivery status report"
    return ""


def _filename(part: Message) -> str:
    name = part.get_filename()
    if name:
        name = header_text(name)
    return name or ""


def parse(raw: bytes) -> ParsedMail:
    msg = email.message_from_bytes(raw)
    sender_name, sender = parseaddr(header_text(msg.get("From")))
    sender = sender.strip().lower()
    texts: list[str] = []
    htmls: list[str] = []
    files: list[MailFile] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        name = _filename(part)
        payload = part.get_payload(decode=True) or b""
        if disposition == "attachment" or (name and ctype not in ("text/plain", "text/html")):
            if payload:
                files.append(MailFile(name=name or "attachment", content_type=ctype, data=payload))
            continue
        if ctype == "text/plain":
            texts.append(decode_bytes(payload, part.get_content_charset()))
        elif ctype == "text/html":
            htmls.append(decode_bytes(payload, part.get_content_charset()))
    html = sanitize_html("\n".join(htmls)) if htmls else ""
    text = "\n\n".join(t.strip() for t in texts if t.strip())
    if not text and html:
        text = html_to_text(html)
    refs = [str(v) for name in ("In-Reply-To", "References") for v in msg.get_all(name) or []]
    message_id = str(msg.get("Message-ID") or "").strip()
    return ParsedMail(
        message_id=message_id[:255],
        sender=sender,
        sender_name=sender_name.strip(),
        subject=header_text(msg.get("Subject"))[:255],
        text=text.replace("\r\n", "\n").strip(),
        html=html,
        files=files,
        references=refs,
        autoreply_reason=_autoreply_reason(msg, sender),
        size=len(raw),
        raw_hash=hashlib.sha256(raw).hexdigest(),
    )


def addresses(value: str) -> list[str]:
    return [addr.lower() for _name, addr in getaddresses([value]) if addr]


# ---- the reply of an offline unit -------------------------------------------------

QUOTE_START = re.compile(
    r"^(>|--\s*$|-{2,}\s*(original message|原始邮件|回复的原邮件)|_{5,}|"
    r"on .+ wrote:\s*$|在 .+写道[::]\s*$|发件人[::]|from:\s)",
    re.I,
)
RESULT_LINE = re.compile(r"^\s*(处理结果|结果|result)\s*[::]\s*(.*)$", re.I)
VERDICT_LINE = re.compile(r"^\s*(结论|conclusion)\s*[::]\s*(.*)$", re.I)
UNRESOLVED = ("未解决", "unresolved", "not resolved")
RESOLVED = ("已解决", "resolved")


@dataclass
class UnitReply:
    result: str
    resolved: bool


def parse_unit_reply(text: str) -> UnitReply:
    """The grammar of an offline unit's reply (documented in docs/operations.md):
    only the lines before the quoted original count; a ``处理结果:``/``结果:`` line
    starts the result (it runs to the next keyword line), otherwise all those lines are
    the result; ``结论: 已解决|未解决`` is optional (default 已解决)."""
    own: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if QUOTE_START.match(line.strip()):
            break
        own.append(line.rstrip())
    resolved = True
    result_lines: list[str] | None = None
    loose: list[str] = []
    for line in own:
        verdict = VERDICT_LINE.match(line)
        if verdict:
            value = verdict.group(2).strip().lower()
            if any(v in value for v in UNRESOLVED):
                resolved = False
            elif any(v in value for v in RESOLVED):
                resolved = True
            continue
        started = RESULT_LINE.match(line)
        if started:
            result_lines = [started.group(2)]
            continue
        (result_lines if result_lines is not None else loose).append(line)
    chosen = result_lines if result_lines is not None else loose
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(chosen)).strip()
    return UnitReply(result=result, resolved=resolved)
