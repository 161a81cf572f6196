"""Raw messages as real mailers send them (bytes on the wire, not parsed objects)."""

from __future__ import annotations

import base64
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def plain(
    *,
    subject: str = "宽带故障投诉",
    body: str = "家里宽带从昨晚开始无法上网,请尽快处理。",
    sender: str = "Wang <wang@example.com>",
    message_id: str = "<m1@example.com>",
    headers: dict | None = None,
) -> bytes:
    msg = MIMEText(body, "plain", "utf-8")
    msg["From"] = sender
    msg["To"] = "kf@complaintloop.local"
    msg["Subject"] = Header(subject, "utf-8")
    msg["Date"] = formatdate(localtime=True)
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    return msg.as_bytes()


def gbk(message_id: str = "<gbk-1@mail.example.cn>") -> bytes:
    """As Foxmail/Outlook in China send it: labelled gb2312, with a GBK-only character
    (镕) in subject and body, the subject base64-encoded, the body 8-bit."""
    subject = "关于朱镕基路营业厅的投诉"
    body = "营业厅工作人员态度恶劣,朱镕基路营业厅排队两小时无人处理。\r\n联系电话 13800001111\r\n"
    encoded_subject = base64.b64encode(subject.encode("gbk")).decode()
    head = (
        f"From: =?gb2312?B?{base64.b64encode('李四'.encode('gbk')).decode()}?= <lisi@mail.example.cn>\r\n"
        "To: kf@complaintloop.local\r\n"
        f"Subject: =?gb2312?B?{encoded_subject}?=\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="gb2312"\r\n'
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode("ascii") + body.encode("gbk")


def with_attachments(message_id: str = "<att-1@example.com>") -> bytes:
    msg = MIMEMultipart()
    msg["From"] = "zhao@example.com"
    msg["To"] = "kf@complaintloop.local"
    msg["Subject"] = Header("账单有误,附账单和截图", "utf-8")
    msg["Message-ID"] = message_id
    msg.attach(MIMEText("本月话费多扣了 50 元,账单和截图见附件。", "plain", "utf-8"))
    bill = MIMEApplication(PDF, "pdf")
    bill.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "账单.pdf"))
    msg.attach(bill)
    shot = MIMEImage(PNG, "png")
    shot.add_header("Content-Disposition", "attachment", filename="screen.png")
    msg.attach(shot)
    tool = MIMEApplication(b"MZ\x90\x00 not a document", "octet-stream")
    tool.add_header("Content-Disposition", "attachment", filename="setup.exe")
    msg.attach(tool)
    return msg.as_bytes()


def html_only(message_id: str = "<html-1@example.com>") -> bytes:
    html = (
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
        "<p>您好,</p><p>手机信号<b>很差</b>,在家里经常<a href='javascript:alert(1)'>断线</a>。</p>"
        "<img src=x onerror=alert(1)><div>地址:南京市鼓楼区</div></body></html>"
    )
    msg = MIMEText(html, "html", "utf-8")
    msg["From"] = "qian@example.com"
    msg["To"] = "kf@complaintloop.local"
    msg["Subject"] = Header("信号差", "utf-8")
    msg["Message-ID"] = message_id
    return msg.as_bytes()


def bounce(message_id: str = "<bounce-1@mx.example.com>") -> bytes:
    msg = MIMEMultipart("report", report_type="delivery-status")
    msg["From"] = "MAILER-DAEMON@mx.example.com (Mail Delivery System)"
    msg["To"] = "kf@complaintloop.local"
    msg["Subject"] = "Undelivered Mail Returned to Sender"
    msg["Message-ID"] = message_id
    msg.attach(
        MIMEText("I'm sorry to have to inform you that your message could not be delivered.")
    )
    return msg.as_bytes()


def reply(
    *,
    sender: str,
    subject: str,
    body: str,
    in_reply_to: str = "",
    message_id: str = "<reply-1@example.com>",
) -> bytes:
    msg = MIMEText(body, "plain", "utf-8")
    msg["From"] = sender
    msg["To"] = "workorders@complaintloop.local"
    msg["Subject"] = Header(subject, "utf-8")
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    return msg.as_bytes()
