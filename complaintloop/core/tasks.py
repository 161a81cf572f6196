from celery import shared_task

from . import outbox


@shared_task(name="complaintloop.core.tasks.deliver_outbox", acks_late=True)
def deliver_outbox(outbox_id: int) -> bool:
    return outbox.deliver(outbox_id)


@shared_task(name="complaintloop.core.tasks.drain_outbox")
def drain_outbox() -> int:
    return outbox.drain()
