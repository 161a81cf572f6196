from django.contrib import admin

from complaintloop.core.admin import ReadOnlyAdmin

from .models import ProcessDefinition


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(ReadOnlyAdmin):
    """Versions are read here; they are saved and published on /processes/ (or the API),
    through processes.services, which validates every one."""

    list_display = ("key", "version", "name", "status", "is_active", "created_at", "published_at")
    list_filter = ("key", "status", "is_active")
