from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Staff, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("path", "name", "kind", "region", "is_offline", "is_active")
    list_filter = ("kind", "is_offline", "is_active")
    search_fields = ("code", "name", "path")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "region")


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "unit", "scope_unit", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "phone")
    autocomplete_fields = ("unit", "scope_unit")
    fieldsets = UserAdmin.fieldsets + (
        (
            "ComplaintLoop",
            {
                "fields": (
                    "display_name",
                    "unit",
                    "role",
                    "scope_unit",
                    "phone",
                    "skills",
                    "is_available",
                )
            },
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("staff", "name", "prefix", "created_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at")
