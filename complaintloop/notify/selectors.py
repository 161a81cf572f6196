"""Reads for the in-app notifications of one person."""

from django.db.models import QuerySet

from complaintloop.org.models import Staff

from .models import Notification


def inbox(actor: Staff, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=actor).order_by("-created_at", "-id")
    return qs.filter(read_at__isnull=True) if unread_only else qs
