from django.contrib import admin

from .models import Recipient, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("kind", "scope_unit", "period_start", "period_end", "status", "trigger",
                    "pages", "duration_ms", "emailed_to", "created_at")  # fmt: skip
    list_filter = ("kind", "status", "trigger")
    search_fields = ("scope_unit__name", "scope_unit__code")
    readonly_fields = ("pdf", "xlsx", "pdf_bytes", "xlsx_bytes", "pages", "duration_ms", "error",
                       "created_at", "started_at", "finished_at", "emailed_at", "emailed_to")  # fmt: skip
    raw_id_fields = ("requested_by",)


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "scope_unit", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("email", "name")
