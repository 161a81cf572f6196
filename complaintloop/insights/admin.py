from django.contrib import admin

from complaintloop.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Alert,
    DomainTerm,
    ImprovementAction,
    Problem,
    StopWord,
    WarningNotice,
    WarningNoticeEvent,
)


@admin.register(DomainTerm)
class DomainTermAdmin(admin.ModelAdmin):
    list_display = ("word", "weight")
    search_fields = ("word",)


@admin.register(StopWord)
class StopWordAdmin(admin.ModelAdmin):
    search_fields = ("word",)


# Alerts and notices move through their lifecycle on /insights/ (services, with their
# trace); the admin only shows them.
@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("day", "region", "category", "observed", "expected", "upper_limit", "status")
    list_filter = ("status",)
    raw_id_fields = ("region", "category")


class NoticeEventInline(ReadOnlyInline):
    model = WarningNoticeEvent
    fields = readonly_fields = (
        "kind", "actor", "at", "from_status", "to_status", "comment", "payload",
    )  # fmt: skip


@admin.register(WarningNotice)
class WarningNoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "responsible_unit", "status", "issued_at", "due_at")
    list_filter = ("status",)
    search_fields = ("number", "title")
    raw_id_fields = ("alert", "responsible_unit", "issued_by", "responded_by", "closed_by")
    inlines = [NoticeEventInline]


class ActionInline(admin.TabularInline):
    model = ImprovementAction
    extra = 0
    raw_id_fields = ("owner",)


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "status", "category", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("owner", "unit", "category", "created_by")
    inlines = [ActionInline]
