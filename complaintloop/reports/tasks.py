from celery import shared_task

from . import services
from .models import ReportKind


@shared_task(name="complaintloop.reports.tasks.generate_report")
def generate_report(report_id: int) -> str:
    return services.generate(report_id).status


@shared_task(name="complaintloop.reports.tasks.schedule_monthly")
def schedule_monthly() -> int:
    """On the 1st: last month's report for the province and each city."""
    return len(services.schedule(ReportKind.MONTHLY))


@shared_task(name="complaintloop.reports.tasks.schedule_weekly")
def schedule_weekly() -> int:
    """On Mondays: last week's bulletin for the province and each city."""
    return len(services.schedule(ReportKind.WEEKLY))
