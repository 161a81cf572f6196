from django.contrib import admin

from .models import Ticket, TicketEvent, TicketLink, TicketProcess, WorkItem


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = (
        "seq",
        "kind",
        "actor",
        "at",
        "from_status",
        "to_status",
        "comment",
        "payload",
    )

    def has_add_permission(self, request, obj=None):
        return False


class WorkItemInline(admin.TabularInline):
    model = WorkItem
    extra = 0
    raw_id_fields = ("unit", "staff", "accepted_by")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "order_type",
        "status",
        "region",
        "owner_unit",
        "customer_level",
        "due_at",
        "created_at",
    )
    list_filter = ("status", "order_type", "channel", "urgency", "sla_state")
    search_fields = ("number", "title", "customer__phone")
    raw_id_fields = ("customer", "category", "parent", "merged_into", "owner_staff", "created_by")
    inlines = [WorkItemInline, EventInline]
    list_select_related = ("order_type", "region", "owner_unit")
    show_full_result_count = False


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ("ticket", "seq", "kind", "actor", "at", "from_status", "to_status")
    list_filter = ("kind",)
    raw_id_fields = ("ticket", "actor")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(
    WorkItem,
    raw_id_fields=("ticket", "unit", "staff", "accepted_by"),
    list_display=("ticket", "kind", "unit", "status", "due_at", "sla_state"),
)
admin.site.register(TicketLink, raw_id_fields=("source", "target"))
admin.site.register(TicketProcess, raw_id_fields=("ticket",))
