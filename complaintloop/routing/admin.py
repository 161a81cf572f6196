from django.contrib import admin

from .models import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "priority",
        "name",
        "order_type",
        "category",
        "region",
        "customer_level",
        "target_unit",
        "target_department_code",
        "urgency",
        "time_limit_minutes",
        "is_active",
    )
    list_editable = ("is_active",)
    list_filter = ("is_active", "order_type", "customer_level")
    autocomplete_fields = ("category", "region", "target_unit")
