"""Keep the address → customer table in step with customers' own email field, so
finding a sender is one indexed lookup (the customer table has no index on email)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from complaintloop.customers.models import Customer

from .models import EmailIdentity


@receiver(post_save, sender=Customer, dispatch_uid="channels.customer_email")
def remember_customer_email(sender, instance: Customer, **kwargs) -> None:
    address = (instance.email or "").strip().lower()
    if address:
        # First owner wins: an address already known keeps pointing where mail went.
        EmailIdentity.objects.get_or_create(address=address, defaults={"customer": instance})
