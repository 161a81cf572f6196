import logging

from celery import shared_task

from complaintloop.core.errors import Conflict

from . import services

log = logging.getLogger(__name__)


@shared_task(name="complaintloop.retention.tasks.apply_nightly")
def apply_nightly() -> int | None:
    """The beat tick: every active policy, for real, as the system."""
    try:
        return services.apply(dry_run=False).pk
    except Conflict:
        log.info("retention: a run is still going on; tonight's tick is skipped")
        return None


@shared_task(name="complaintloop.retention.tasks.execute_run")
def execute_run(run_id: int) -> str:
    """A run asked for on the page."""
    return services.execute(run_id).status
