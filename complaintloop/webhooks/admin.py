from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import DeadLetter, Delivery, DeliveryStatus, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "event_types", "is_active", "owner", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    raw_id_fields = ("owner",)

    def save_model(self, request, obj, form, change):
        if obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


@admin.action(description=_("重新推送所选记录"))
def redeliver(modeladmin, request, queryset):
    count = 0
    for delivery in queryset:
        if delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0:
            continue
        services.redeliver(delivery.pk, actor=request.user)
        count += 1
    modeladmin.message_user(
        request,
        ngettext(
            "%(n)d 条记录已重新排队,稍后由投递进程发送。",
            "%(n)d 条记录已重新排队,稍后由投递进程发送。",
            count,
        )
        % {"n": count},
        messages.SUCCESS,
    )


class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "subscription",
        "event_type",
        "outbox_id",
        "status",
        "attempts",
        "last_status",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "subscription", "event_type")
    search_fields = ("=outbox_id", "event_type")
    actions = [redeliver]
    list_select_related = ("subscription",)
    readonly_fields = [f.name for f in Delivery._meta.fields if f.name not in ("id",)]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Delivery, DeliveryAdmin)


@admin.register(DeadLetter)
class DeadLetterAdmin(DeliveryAdmin):
    list_filter = ("subscription", "event_type")
    list_display = (
        "id",
        "subscription",
        "event_type",
        "outbox_id",
        "attempts",
        "last_status",
        "last_error",
        "created_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=DeliveryStatus.DEAD)
