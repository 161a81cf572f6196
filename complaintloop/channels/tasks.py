from celery import shared_task

from . import imap


@shared_task(name="complaintloop.channels.tasks.poll_mailboxes")
def poll_mailboxes() -> int:
    """Beat: fetch new mail from every active mailbox."""
    return sum(result.fetched for result in imap.poll_all())
