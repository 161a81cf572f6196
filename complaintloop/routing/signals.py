from django.db.models.signals import post_save
from django.dispatch import receiver

from . import selectors
from .models import DecisionTable


@receiver(post_save, sender=DecisionTable)
def _tables_changed(**kwargs) -> None:
    selectors.clear_cache()
