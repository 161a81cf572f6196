"""Webhook subscriptions and deliveries over the API (system administrators only)."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from complaintloop.core.schemas import ERRORS

from . import services
from .models import Delivery, DeliveryStatus, Subscription

router = Router(tags=["webhooks"])


class SubscriptionIn(Schema):
    name: str
    url: str
    event_types: list[str]
    secret: str = ""
    is_active: bool = True


class SubscriptionPatch(Schema):
    name: str | None = None
    url: str | None = None
    event_types: list[str] | None = None
    secret: str | None = None
    is_active: bool | None = None


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    is_active: bool
    owner: str | None
    created_at: datetime

    @staticmethod
    def resolve_owner(obj: Subscription) -> str | None:
        return obj.owner.username if obj.owner_id else None


class SubscriptionCreated(SubscriptionOut):
    secret: str


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    outbox_id: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


@router.get("/webhooks/subscriptions", response={200: list[SubscriptionOut], **ERRORS})
def list_subscriptions(request):
    services.require_admin(request.auth)
    return Subscription.objects.select_related("owner").order_by("name", "id")


@router.post("/webhooks/subscriptions", response={201: SubscriptionCreated, **ERRORS})
def create_subscription(request, body: SubscriptionIn):
    return 201, services.create_subscription(actor=request.auth, **body.dict())


@router.get("/webhooks/subscriptions/{subscription_id}", response={200: SubscriptionOut, **ERRORS})
def get_subscription(request, subscription_id: int):
    services.require_admin(request.auth)
    return get_object_or_404(Subscription.objects.select_related("owner"), pk=subscription_id)


@router.patch(
    "/webhooks/subscriptions/{subscription_id}", response={200: SubscriptionOut, **ERRORS}
)
def update_subscription(request, subscription_id: int, body: SubscriptionPatch):
    return services.update_subscription(
        subscription_id, actor=request.auth, **body.dict(exclude_unset=True)
    )


@router.delete("/webhooks/subscriptions/{subscription_id}", response={204: None, **ERRORS})
def delete_subscription(request, subscription_id: int):
    services.delete_subscription(subscription_id, actor=request.auth)
    return 204, None


@router.get("/webhooks/deliveries", response={200: list[DeliveryOut], **ERRORS})
def list_deliveries(
    request,
    status: DeliveryStatus | None = None,
    subscription_id: int | None = None,
    limit: int = 100,
):
    services.require_admin(request.auth)
    qs = Delivery.objects.all()
    if status:
        qs = qs.filter(status=status)
    if subscription_id:
        qs = qs.filter(subscription_id=subscription_id)
    return qs.order_by("-id")[: max(1, min(limit, 500))]


@router.post("/webhooks/deliveries/{delivery_id}/redeliver", response={200: DeliveryOut, **ERRORS})
def redeliver(request, delivery_id: int):
    return services.redeliver(delivery_id, actor=request.auth)
