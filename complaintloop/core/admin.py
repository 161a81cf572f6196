from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import outbox
from .models import AuditLog, Outbox, WorkCalendarDay


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows with a lifecycle or a trace of their own change only through their services:
    view permission only: no add, change or delete for anyone, superusers included."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note", "source")
    list_filter = ("is_workday", "source")
    date_hierarchy = "date"
    search_fields = ("note",)


class DeliveryState(admin.SimpleListFilter):
    title = _("投递状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("待投递")),
            ("failing", _("投递失败重试中")),
            ("dead", _("已放弃(死信)")),
            ("delivered", _("已投递")),
        ]

    def queryset(self, request, queryset):
        undelivered = queryset.filter(delivered_at__isnull=True)
        return {
            "pending": undelivered.filter(attempts=0),
            "failing": undelivered.filter(attempts__gt=0, attempts__lt=outbox.MAX_ATTEMPTS),
            "dead": undelivered.filter(attempts__gte=outbox.MAX_ATTEMPTS),
            "delivered": queryset.filter(delivered_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "created_at", "delivered_at", "attempts", "short_error")
    list_filter = (DeliveryState, "topic")
    readonly_fields = [f.name for f in Outbox._meta.fields]
    actions = ["redeliver"]

    @admin.display(description=_("最近错误"))
    def short_error(self, obj: Outbox) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("重新投递所选事件(死信或失败的)"))
    def redeliver(self, request, queryset):
        """Give rows that ran out of attempts (or are failing) a fresh start; the next
        drain delivers them. Consumers are idempotent, so a delivered row stays as is."""
        count = outbox.retry_again(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("已重新排队 %(n)s 条事件") % {"n": count}, messages.SUCCESS)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Entries are written by audit.record only (no forged 'who looked')."""

    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    readonly_fields = [f.name for f in AuditLog._meta.fields]


admin.site.site_header = "ComplaintLoop 投诉工单闭环平台"
admin.site.site_title = "ComplaintLoop"
admin.site.index_title = "管理"
