from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import services
from .models import RoutingRule


@receiver([post_save, post_delete], sender=RoutingRule)
def _rules_changed(**kwargs) -> None:
    services.clear_cache()
