from celery import shared_task

from . import services


@shared_task(name="complaintloop.notify.tasks.send_due")
def send_due() -> int:
    """Retries and SMS held over quiet hours."""
    return services.send_due()
