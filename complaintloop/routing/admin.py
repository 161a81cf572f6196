from django.contrib import admin

from complaintloop.core.admin import ReadOnlyAdmin

from .models import DecisionTable


@admin.register(DecisionTable)
class DecisionTableAdmin(ReadOnlyAdmin):
    """Versions are read here; they are edited and published on /processes/decisions/
    (or the API), through routing.services, which checks every one."""

    list_display = ("key", "version", "name", "hit_policy", "rule_count", "status", "published_at")
    list_filter = ("key", "status")
