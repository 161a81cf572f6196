from django.contrib import admin

from .models import PartnerFailure, TicketEnrichment


@admin.register(PartnerFailure)
class PartnerFailureAdmin(admin.ModelAdmin):
    list_display = ("source", "outcome", "count", "last_at", "last_error")
    readonly_fields = ("source", "outcome", "count", "last_at", "last_error")


@admin.register(TicketEnrichment)
class TicketEnrichmentAdmin(admin.ModelAdmin):
    list_display = ("ticket", "fetched_at")
    raw_id_fields = ("ticket",)
    readonly_fields = ("ticket", "fetched_at", "data")
