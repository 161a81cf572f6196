from django.contrib import admin

from .models import Category, OrderType, Product, ServiceProvider


@admin.register(OrderType)
class OrderTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "default_process_key", "time_limit_minutes", "time_basis")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "full_name", "level", "default_unit", "time_limit_minutes", "is_active")
    list_filter = ("level", "is_local", "is_active")
    search_fields = ("code", "name", "full_name")
    autocomplete_fields = ("parent", "default_unit")
    readonly_fields = ("path", "full_name", "level")


admin.site.register(Product, search_fields=("code", "name"))
admin.site.register(ServiceProvider, search_fields=("code", "name"))
