"""IMAP polling against a real dovecot: messages APPENDed to the configured folder over
IMAPS, then polled by the command the beat task also runs."""

import json
from io import StringIO

from django.core.management import call_command

from complaintloop.channels import imap
from complaintloop.channels.models import InboundMessage, Mailbox, Outcome
from complaintloop.channels.tasks import poll_mailboxes
from complaintloop.tickets.models import Channel, Ticket

from . import mails


def test_poll_turns_unseen_mail_into_tickets_and_marks_it_seen(imap_mailbox, dovecot):
    # given two complaints, an auto-reply and a GBK mail in the mailbox's folder
    dovecot.append(mails.plain(message_id="<imap-1@example.com>"), imap_mailbox.folder)
    dovecot.append(mails.gbk(message_id="<imap-2@example.cn>"), imap_mailbox.folder)
    dovecot.append(
        mails.plain(message_id="<imap-3@example.com>", headers={"Auto-Submitted": "auto-replied"}),
        imap_mailbox.folder,
    )
    # when the mailbox is polled
    out = StringIO()
    call_command("poll_mailboxes", stdout=out)
    report = json.loads(out.getvalue().splitlines()[0])
    # then two email tickets exist, the auto-reply is only logged, all are seen
    assert report["fetched"] == 3 and report["error"] == ""
    assert report["outcomes"] == {"created": 2, "ignored_autoreply": 1}
    titles = set(Ticket.objects.values_list("title", flat=True))
    assert titles == {"宽带故障投诉", "关于朱镕基路营业厅的投诉"}
    assert set(Ticket.objects.values_list("channel", flat=True)) == {Channel.EMAIL}
    assert InboundMessage.objects.filter(mailbox=imap_mailbox).count() == 3
    assert dovecot.unseen(imap_mailbox.folder) == 0
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_polled_at is not None and imap_mailbox.last_error == ""


def test_repolling_a_message_marked_unseen_again_does_not_duplicate(imap_mailbox, dovecot):
    raw = mails.plain(message_id="<imap-again@example.com>")
    dovecot.append(raw, imap_mailbox.folder)
    poll_mailboxes()
    # the same message arrives again (e.g. another client flagged it unseen, or a copy)
    dovecot.append(raw, imap_mailbox.folder)
    poll_mailboxes()
    assert Ticket.objects.count() == 1
    outcomes = list(
        InboundMessage.objects.filter(message_id="<imap-again@example.com>")
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == [Outcome.CREATED, Outcome.DUPLICATE]


def test_wrong_password_is_recorded_on_the_mailbox(imap_mailbox):
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(password="wrong")
    imap_mailbox.refresh_from_db()
    result = imap.poll(imap_mailbox)
    assert result.fetched == 0 and "AUTHENTICATIONFAILED" in result.error.upper()
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_error == result.error
    assert not Ticket.objects.exists()


def test_untrusted_certificate_is_refused(imap_mailbox, settings):
    # without the test CA the self-signed certificate must not be accepted
    settings.CHANNELS_IMAP_CA_FILE = ""
    result = imap.poll(imap_mailbox)
    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert not Ticket.objects.exists()


def test_inactive_mailbox_is_not_polled(imap_mailbox, dovecot):
    dovecot.append(mails.plain(message_id="<imap-off@example.com>"), imap_mailbox.folder)
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(is_active=False)
    assert imap.poll_all() == []
    assert dovecot.unseen(imap_mailbox.folder) >= 1
