from django.contrib import admin

from .models import ContactRecord, Customer, CustomerListEntry


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "level", "region", "is_enterprise")
    list_filter = ("level", "is_enterprise", "region")
    search_fields = ("name", "phone", "enterprise_name")

    def get_queryset(self, request):
        # The admin follows the same data scope as the API and the pages (R29).
        return super().get_queryset(request).visible_to(request.user)


@admin.register(ContactRecord)
class ContactRecordAdmin(admin.ModelAdmin):
    list_display = ("customer", "channel", "direction", "ticket_number", "at")
    list_filter = ("channel", "direction")
    raw_id_fields = ("customer", "staff")


@admin.register(CustomerListEntry)
class CustomerListEntryAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "reason", "expires_at", "revoked_at")
    list_filter = ("kind",)
    raw_id_fields = ("customer",)
