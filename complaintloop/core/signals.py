"""An edited working-calendar day (admin, shell) clears this process's calendar cache
and tells the apps that stored working-time figures (``calendar.CHANGED_TOPIC``,
through the outbox, in the edit's transaction) so they can recompute them."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import calendar, outbox
from .models import WorkCalendarDay


@receiver(post_save, sender=WorkCalendarDay)
@receiver(post_delete, sender=WorkCalendarDay)
def calendar_day_changed(sender, instance: WorkCalendarDay, **kwargs) -> None:
    calendar.clear_cache()
    outbox.emit(calendar.CHANGED_TOPIC, {"dates": [instance.date.isoformat()]})
