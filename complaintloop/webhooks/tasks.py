from celery import shared_task

from . import services


@shared_task(name="complaintloop.webhooks.tasks.send_due")
def send_due() -> int:
    return services.send_due()
