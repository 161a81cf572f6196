from django.contrib import admin

from .models import ProcessDefinition


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    list_display = ("key", "version", "name", "process_id", "is_active", "created_at")
    list_filter = ("key", "is_active")
