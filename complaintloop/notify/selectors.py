"""Reads: a person's in-app notifications, a customer's notification choices."""

from django.db.models import QuerySet

from complaintloop.org.models import Staff

from .models import CustomerPreference, Notification


def inbox(actor: Staff, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=actor).order_by("-created_at", "-id")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def customer_preference(customer_id: int) -> CustomerPreference:
    """The customer's stored choices, or the defaults (Chinese, SMS and email on)."""
    found = CustomerPreference.objects.filter(customer_id=customer_id).first()
    return found or CustomerPreference(customer_id=customer_id)
