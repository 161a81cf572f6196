from celery import shared_task

from . import services


@shared_task(name="complaintloop.tickets.tasks.sla_sweep")
def sla_sweep() -> dict[str, int]:
    return services.sla_sweep()
