"""The ticket tables in the admin are for looking, not for editing: every change of a
ticket is an operation of ``tickets.services`` that leaves its event (R9). The one
correction the admin offers, category/title/description, goes through
``services.reclassify`` like the ticket page's 改分类."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from complaintloop.core.admin import ReadOnlyAdmin, ReadOnlyInline
from complaintloop.core.errors import DomainError

from . import services
from .models import Ticket, TicketEvent, TicketLink, TicketProcess, WorkItem

# What the admin may correct on a ticket, through services.reclassify.
RECLASSIFY_FIELDS = ("category", "title", "description")


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = readonly_fields = (
        "seq",
        "kind",
        "actor",
        "at",
        "from_status",
        "to_status",
        "comment",
        "payload",
    )


class WorkItemInline(ReadOnlyInline):
    model = WorkItem
    fields = readonly_fields = (
        "kind",
        "step",
        "status",
        "unit",
        "staff",
        "accepted_by",
        "accepted_at",
        "due_at",
        "sla_state",
    )


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
    raw_id_fields = ("category",)
    inlines = [WorkItemInline, EventInline]
    list_select_related = ("order_type", "region", "owner_unit")
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False  # tickets are created by intake (services.create)

    def has_delete_permission(self, request, obj=None):
        return False  # a ticket and its trace are kept (R9, R33 retention decides)

    def get_fields(self, request, obj=None):
        rest = [f.name for f in Ticket._meta.fields if f.name not in ("id", *RECLASSIFY_FIELDS)]
        return [*RECLASSIFY_FIELDS, *rest]

    def get_readonly_fields(self, request, obj=None):
        # Lifecycle, ownership, deadlines, counters: read-only; an open ticket's
        # category/title/description may be corrected (closed ones are history).
        editable = RECLASSIFY_FIELDS if obj is not None and obj.status != "closed" else ()
        return [f for f in self.get_fields(request, obj) if f not in editable]

    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name in RECLASSIFY_FIELDS]
        if not changed:
            return
        try:
            services.reclassify(
                obj.number,
                actor=request.user,
                category=obj.category.code if obj.category_id else "",
                title=obj.title,
                description=obj.description,
                comment=str(_("管理后台更正")),
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "seq", "kind", "actor", "at", "from_status", "to_status")
    list_filter = ("kind",)
    raw_id_fields = ("ticket", "actor")
    show_full_result_count = False


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "kind", "unit", "status", "due_at", "sla_state")
    raw_id_fields = ("ticket", "unit", "staff", "accepted_by")


@admin.register(TicketLink)
class TicketLinkAdmin(ReadOnlyAdmin):
    raw_id_fields = ("source", "target")


@admin.register(TicketProcess)
class TicketProcessAdmin(ReadOnlyAdmin):
    raw_id_fields = ("ticket",)
