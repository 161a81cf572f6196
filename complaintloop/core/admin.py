from django.contrib import admin

from .models import AuditLog, Outbox, WorkCalendarDay


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note", "source")
    list_filter = ("is_workday", "source")
    date_hierarchy = "date"
    search_fields = ("note",)


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "created_at", "claimed_at", "delivered_at", "attempts")
    list_filter = ("topic",)
    readonly_fields = [f.name for f in Outbox._meta.fields]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = "ComplaintLoop 投诉工单闭环平台"
admin.site.site_title = "ComplaintLoop"
admin.site.index_title = "管理"
